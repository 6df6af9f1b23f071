// The TCP listener (RFC 7766): two-byte length-prefixed messages, several per connection, answered as
// they complete. A connection that completes no query for `idleMs` is closed, however slowly bytes trickle
// in (a half-sent frame does not keep it open); each client address may hold `maxPerClient` connections and
// the listener `maxConnections` in all; a zero-length frame (nothing to answer) closes the connection.
import { createServer, type Server, type Socket } from 'node:net';
import type { Handler } from './handler';

export interface TcpLimits {
  idleMs: number;
  maxPerClient: number;
  maxConnections: number;
}

export function listenTcp(host: string, port: number, limits: TcpLimits, handle: Handler, log: (m: string) => void): Promise<{ server: Server; close(): Promise<void> }> {
  const connections = new Set<Socket>();
  const perClient = new Map<string, number>();
  const server = createServer((socket) => {
    const client = socket.remoteAddress ?? '';
    const held = perClient.get(client) ?? 0;
    socket.on('error', () => socket.destroy());
    if (held >= limits.maxPerClient) return void socket.destroy();
    perClient.set(client, held + 1);
    connections.add(socket);
    let pending = 0;
    let idle: NodeJS.Timeout | undefined;
    // Only a complete query or a reply counts as activity; while a query is being answered nothing expires.
    const touch = () => {
      clearTimeout(idle);
      idle = setTimeout(() => pending === 0 && socket.destroy(), limits.idleMs);
    };
    touch();
    socket.on('close', () => {
      clearTimeout(idle);
      connections.delete(socket);
      const left = (perClient.get(client) ?? 1) - 1;
      if (left > 0) perClient.set(client, left);
      else perClient.delete(client);
    });
    let buffered: Buffer = Buffer.alloc(0);
    socket.on('data', (chunk) => {
      buffered = buffered.length ? Buffer.concat([buffered, chunk]) : chunk;
      while (buffered.length >= 2) {
        const length = buffered.readUInt16BE(0);
        if (length < 2) return void socket.destroy();
        if (buffered.length < 2 + length) break;
        const message = Buffer.from(buffered.subarray(2, 2 + length));
        buffered = buffered.subarray(2 + length);
        pending++;
        touch();
        handle(message, 'tcp').then(
          (reply) => {
            pending--;
            touch();
            if (!reply || socket.destroyed) return;
            const prefix = Buffer.alloc(2);
            prefix.writeUInt16BE(reply.length);
            socket.write(Buffer.concat([prefix, reply]));
          },
          (err: Error) => {
            pending--;
            touch();
            log(`dns-gateway: tcp: ${err.message}`);
          },
        );
      }
    });
  });
  server.maxConnections = limits.maxConnections;
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
