// The UDP listener: one datagram is one query; replies go back to the sender. Errors are logged and
// never stop the socket.
import { createSocket, type Socket } from 'node:dgram';
import type { Handler } from './handler';

type Lookup = (address: string, callback: (err: Error | null, ip?: string) => void) => void;

/**
 * Node passes every send's address through dns.lookup, which for an IP literal still costs a regexp and a
 * nextTick per datagram (about a tenth of a hit's CPU under dnsperf); a reply goes to the address its query
 * came from, always a literal, so it is passed straight through. The lookup lives in Node's internal state
 * (lib/dgram.js `state.handle.lookup`): when that is not where it is (another Node), nothing changes.
 * Returns whether the lookup was replaced.
 */
export function skipAddressLookup(socket: Socket): boolean {
  const state = Object.getOwnPropertySymbols(socket).find((s) => s.description === 'state symbol');
  const handle = state && (socket as unknown as Record<symbol, { handle?: { lookup?: Lookup } }>)[state]?.handle;
  const lookup = handle?.lookup;
  if (typeof lookup !== 'function') return false;
  handle!.lookup = (address, callback) => (address ? callback(null, address) : lookup.call(handle, address, callback));
  return true;
}

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
      skipAddressLookup(socket);
      resolve(socket);
    });
  });
}
