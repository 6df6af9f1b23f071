// The TCP listener (RFC 7766): two-byte length-prefixed messages, several per connection, answered as
// they complete. Idle connections close after `idleMs`; a zero-length frame (nothing to answer) closes it.
import { createServer, type Server, type Socket } from 'node:net';
import type { Handler } from './handler';

export function listenTcp(host: string, port: number, idleMs: number, handle: Handler, log: (m: string) => void): Promise<{ server: Server; close(): Promise<void> }> {
  const connections = new Set<Socket>();
  const server = createServer((socket) => {
    connections.add(socket);
    socket.on('close', () => connections.delete(socket));
    socket.setTimeout(idleMs, () => socket.destroy());
    socket.on('error', () => socket.destroy());
    let buffered: Buffer = Buffer.alloc(0);
    socket.on('data', (chunk) => {
      buffered = buffered.length ? Buffer.concat([buffered, chunk]) : chunk;
      while (buffered.length >= 2) {
        const length = buffered.readUInt16BE(0);
        if (length < 2) return void socket.destroy();
        if (buffered.length < 2 + length) break;
        const message = Buffer.from(buffered.subarray(2, 2 + length));
        buffered = buffered.subarray(2 + length);
        handle(message, 'tcp').then(
          (reply) => {
            if (!reply || socket.destroyed) return;
            const prefix = Buffer.alloc(2);
            prefix.writeUInt16BE(reply.length);
            socket.write(Buffer.concat([prefix, reply]));
          },
          (err: Error) => log(`dns-gateway: tcp: ${err.message}`),
        );
      }
    });
  });
  // Closing also ends open client connections, so stopping never waits on an idle client.
  const close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      connections.forEach((s) => s.destroy());
    });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      server.on('error', (err) => log(`dns-gateway: tcp: ${err.message}`));
      resolve({ server, close });
    });
  });
}
