// Forwards a query for a name outside `consul.` to the configured recursors, one after another
// (Consul's "sequential" strategy), over the client's transport. Undefined when none answers in time.
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';

export async function forward(query: Buffer, transport: 'udp' | 'tcp', recursors: string[], timeoutMs: number): Promise<Buffer | undefined> {
  for (const recursor of recursors) {
    const { host, port } = splitHostPort(recursor);
    try {
      const reply = await (transport === 'udp' ? overUdp : overTcp)(query, host, port, timeoutMs);
      if (reply.length >= 12 && reply.readUInt16BE(0) === query.readUInt16BE(0)) return reply;
    } catch {
      /* try the next recursor */
    }
  }
  return undefined;
}

function splitHostPort(text: string): { host: string; port: number } {
  const at = text.lastIndexOf(':');
  return { host: text.slice(0, at).replace(/^\[|\]$/g, ''), port: Number(text.slice(at + 1)) };
}

function overUdp(query: Buffer, host: string, port: number, timeoutMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = createSocket(host.includes(':') ? 'udp6' : 'udp4');
    const done = (err: Error | null, reply?: Buffer) => {
      clearTimeout(timer);
      socket.close();
      if (err) reject(err);
      else resolve(reply!);
    };
    const timer = setTimeout(() => done(new Error(`recursor ${host}:${port} timed out`)), timeoutMs);
    socket.on('error', (err) => done(err));
    socket.on('message', (reply) => done(null, reply));
    socket.send(query, port, host);
  });
}

function overTcp(query: Buffer, host: string, port: number, timeoutMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    let buffered = Buffer.alloc(0);
    const done = (err: Error | null, reply?: Buffer) => {
      clearTimeout(timer);
      socket.destroy();
      if (err) reject(err);
      else resolve(reply!);
    };
    const timer = setTimeout(() => done(new Error(`recursor ${host}:${port} timed out`)), timeoutMs);
    socket.on('error', (err) => done(err));
    socket.on('connect', () => {
      const length = Buffer.alloc(2);
      length.writeUInt16BE(query.length);
      socket.write(Buffer.concat([length, query]));
    });
    socket.on('data', (chunk) => {
      buffered = Buffer.concat([buffered, chunk]);
      if (buffered.length >= 2 && buffered.length >= 2 + buffered.readUInt16BE(0)) done(null, buffered.subarray(2, 2 + buffered.readUInt16BE(0)));
    });
    socket.on('end', () => done(new Error(`recursor ${host}:${port} closed the connection`)));
  });
}
