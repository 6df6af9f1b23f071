// Two queries whose keys collide still get their own replies: found by brute force, asked through a gateway.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { freePort } from '../test/e2e/global-setup';
import { startGateway, type Gateway } from './main';
import { queryHash, sameQuery } from './reply-key';
import { decodeReply, encodeQuery, udpExchange } from './test-client';

/** Names `n<7 digits>.node.consul` whose queries hash alike (a birthday search: some 80,000 tries on average). */
function collidingNames(): [string, string] {
  const query = encodeQuery('n0000000.node.consul', 'A', { id: 0 });
  const seen = new Map<number, number>();
  const name = (i: number) => `n${String(i).padStart(7, '0')}.node.consul`;
  for (let i = 0; i < 1e7; i++) {
    query.write(String(i).padStart(7, '0'), 14, 'latin1');
    const hash = queryHash(query, 'udp');
    const other = seen.get(hash);
    if (other !== undefined) return [name(other), name(i)];
    seen.set(hash, i);
  }
  throw new Error('no collision found');
}

describe('reply keys', () => {
  let gateway: Gateway;
  beforeAll(async () => {
    gateway = await startGateway({ port: await freePort(), workerUrl: inject('beaconUrl') }, () => {});
  });
  afterAll(() => gateway?.stop());

  it('tells apart the transports and queries differing past their ID only', () => {
    const [a, b] = [encodeQuery('x.consul', 'A', { id: 1 }), encodeQuery('x.consul', 'A', { id: 2 })];
    expect(queryHash(a, 'udp')).toBe(queryHash(b, 'udp'));
    expect(queryHash(a, 'udp')).not.toBe(queryHash(a, 'tcp'));
    expect(sameQuery(a, b.subarray(2))).toBe(true);
    expect(sameQuery(a, encodeQuery('y.consul', 'A', { id: 1 }).subarray(2))).toBe(false);
  });

  it('answers each of two queries with the same key with its own question', async () => {
    const [first, second] = collidingNames();
    const question = async (name: string) => {
      const query = encodeQuery(name, 'A');
      const reply = (await udpExchange(gateway.port, query))!;
      expect(decodeReply(reply).rcode).toBe('NXDOMAIN');
      return reply.subarray(12, query.length).equals(query.subarray(12));
    };
    for (const name of [first, second, first, second, second, first]) expect(await question(name)).toBe(true);
    expect(gateway.stats().hits).toBeGreaterThan(0);
  });
});
