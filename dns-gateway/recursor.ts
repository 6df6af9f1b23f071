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

type Done = (err: Error | null, reply?: Buffer) => void;

/** One query on one socket: the first of a reply, an error or the deadline settles it, and closes the socket once. */
function exchange(label: string, timeoutMs: number, close: () => void, start: (done: Done) => void): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const done: Done = (err, reply) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      close();
      if (err) reject(err);
      else resolve(reply!);
    };
    const timer = setTimeout(() => done(new Error(`recursor ${label} timed out`)), timeoutMs);
    start(done);
  });
}

function overUdp(query: Buffer, host: string, port: number, timeoutMs: number): Promise<Buffer> {
  const socket = createSocket(host.includes(':') ? 'udp6' : 'udp4');
  return exchange(`${host}:${port}`, timeoutMs, () => socket.close(), (done) => {
    socket.on('error', (err) => done(err));
    socket.on('message', (reply) => done(null, reply));
    socket.send(query, port, host);
  });
}

function overTcp(query: Buffer, host: string, port: number, timeoutMs: number): Promise<Buffer> {
  const socket = connect({ host, port });
  let buffered = Buffer.alloc(0);
  return exchange(`${host}:${port}`, timeoutMs, () => socket.destroy(), (done) => {
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
