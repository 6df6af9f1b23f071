// The UDP listener's send shortcut: Node's per-send address lookup is replaced on the Node this runs on (a
// Node that moved it would silently lose the saving, so this says so), and replies still reach the sender.
import { createSocket } from 'node:dgram';
import { describe, expect, it } from 'vitest';
import { skipAddressLookup } from './udp';

const bound = (type: 'udp4' | 'udp6', host: string) =>
  new Promise<ReturnType<typeof createSocket>>((resolve) => {
    const socket = createSocket(type);
    socket.bind(0, host, () => resolve(socket));
  });

describe('skipAddressLookup', () => {
  it.each([['udp4', '127.0.0.1'], ['udp6', '::1']] as const)('replaces the lookup on a %s socket, and sends still arrive', async (type, host) => {
    const [server, client] = [await bound(type, host), await bound(type, host)];
    try {
      expect(skipAddressLookup(server)).toBe(true);
      const received = new Promise<Buffer>((resolve) => client.once('message', resolve));
      server.send(Buffer.from('reply'), client.address().port, host);
      expect((await received).toString()).toBe('reply');
    } finally {
      server.close();
      client.close();
    }
  });
});
