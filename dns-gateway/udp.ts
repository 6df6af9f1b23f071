// The UDP listener: one datagram is one query; replies go back to the sender. Errors are logged and
// never stop the socket.
import { createSocket, type Socket } from 'node:dgram';
import type { Handler } from './handler';

export function listenUdp(host: string, port: number, handle: Handler, log: (m: string) => void): Promise<Socket> {
  const socket = createSocket({ type: host.includes(':') ? 'udp6' : 'udp4', reuseAddr: false });
  // A hit is answered synchronously. No send callback (Node then skips one per datagram): a send that fails is
  // a lost datagram, as UDP allows, and the client asks again.
  socket.on('message', (message, from) => {
    const hit = handle.cached(message, 'udp');
    if (hit) return void socket.send(hit, from.port, from.address);
    handle(message, 'udp').then(
      (reply) => {
        if (reply) socket.send(reply, from.port, from.address);
      },
      (err: Error) => log(`dns-gateway: udp: ${err.message}`),
    );
  });
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(port, host, () => {
      socket.off('error', reject);
      socket.on('error', (err) => log(`dns-gateway: udp: ${err.message}`));
      resolve(socket);
    });
  });
}
