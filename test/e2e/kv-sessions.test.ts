// KV, sessions and locks through the npm `consul` client over real HTTP: reads and writes, CAS,
// sessions, two sessions racing for one lock, a blocking read woken by a change under its prefix, and
// many clients doing CAS increments on one key without losing an update.
import Consul from 'consul';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, inject, it } from 'vitest';

const url = new URL(inject('beaconUrl'));
const client = () => new Consul({ host: url.hostname, port: Number(url.port) });
const consul = client();
const uniq = (p: string) => `${p}-${crypto.randomUUID().slice(0, 8)}`;

// The client resolves a `false` answer as undefined (papi drops falsy results), so refusals are checked as falsy.
type Entry = { Key: string; Value: string | null; ModifyIndex: number; Session?: string; LockIndex: number };
const get = (key: string) => consul.kv.get(key) as Promise<Entry | undefined>;

describe('KV and sessions with the npm consul client', () => {
  it('sets, gets, lists keys and deletes a tree', async () => {
    const p = uniq('cfg');
    expect(await consul.kv.set(`${p}/db/url`, 'postgres://x')).toBe(true);
    expect(await consul.kv.set({ key: `${p}/db/pool`, value: '5', flags: 9 })).toBe(true);
    expect(await consul.kv.set(`${p}/log`, 'debug')).toBe(true);
    expect(await get(`${p}/db/pool`)).toMatchObject({ Key: `${p}/db/pool`, Value: '5', Flags: 9 });
    expect(await consul.kv.keys({ key: `${p}/`, separator: '/' })).toEqual([`${p}/db/`, `${p}/log`]);
    const tree = (await consul.kv.get({ key: `${p}/`, recurse: true })) as Entry[];
    expect(tree.map((e) => [e.Key, e.Value])).toEqual([[`${p}/db/pool`, '5'], [`${p}/db/url`, 'postgres://x'], [`${p}/log`, 'debug']]);
    await consul.kv.del({ key: `${p}/db/`, recurse: true });
    expect(await consul.kv.keys(`${p}/`)).toEqual([`${p}/log`]);
    expect(await get(`${p}/db/url`)).toBeUndefined();
  });

  it('writes with cas only at the index it read', async () => {
    const key = uniq('cas');
    expect(await consul.kv.set({ key, value: 'a', cas: 0 })).toBe(true);
    const { ModifyIndex } = (await get(key))!;
    expect(await consul.kv.set({ key, value: 'b', cas: ModifyIndex })).toBe(true);
    expect(await consul.kv.set({ key, value: 'c', cas: ModifyIndex })).toBeFalsy();
    expect((await get(key))!.Value).toBe('b');
  });

  it('creates, renews and destroys a session', async () => {
    const { ID } = (await consul.session.create({ name: uniq('s'), ttl: '10s', behavior: 'delete' })) as { ID: string };
    const [renewed] = (await consul.session.renew(ID)) as { ID: string; TTL: string }[];
    expect(renewed).toMatchObject({ ID, TTL: '10s' });
    expect(((await consul.session.list()) as { ID: string }[]).map((s) => s.ID)).toContain(ID);
    await consul.session.destroy(ID);
    expect(await consul.session.info(ID)).toBeUndefined();
    await expect(consul.session.renew(ID)).rejects.toThrow();
  });

  it('lets exactly one of two racing sessions acquire a key; the other gets in after the lock delay', async () => {
    const key = uniq('leader');
    const sessions = await Promise.all([0, 1].map(async () => ((await consul.session.create({ lockdelay: '2s' })) as { ID: string }).ID));
    const results = await Promise.all(sessions.map((session) => consul.kv.set({ key, value: session, acquire: session })));
    expect(results.filter(Boolean)).toHaveLength(1);
    const [winner, loser] = results[0] ? sessions : [...sessions].reverse();
    expect(await get(key)).toMatchObject({ Session: winner, Value: winner, LockIndex: 1 });

    await consul.session.destroy(winner);
    const releasedAt = Date.now();
    expect(await consul.kv.set({ key, value: loser, acquire: loser })).toBeFalsy();
    let acquired = false;
    while (!acquired && Date.now() - releasedAt < 10_000) {
      await sleep(250);
      acquired = (await consul.kv.set({ key, value: loser, acquire: loser })) === true;
    }
    expect(acquired).toBe(true);
    expect(Date.now() - releasedAt).toBeGreaterThanOrEqual(1_900);
    expect(await get(key)).toMatchObject({ Session: loser, LockIndex: 2 });
    expect(await consul.kv.set({ key, value: 'bye', release: loser })).toBe(true);
    expect((await get(key))!.Session).toBeUndefined();
    await consul.session.destroy(loser);
  });

  it('wakes a blocking recursive get when a key under its prefix changes, not before', async () => {
    const p = uniq('watch');
    await consul.kv.set(`${p}/a`, '1');
    const res = await fetch(`${url.origin}/v1/kv/${p}/?recurse`);
    const index = Number(res.headers.get('X-Consul-Index'));
    await res.arrayBuffer();
    let woke = false;
    // The client's typings leave out `index`/`wait` on a recursive get, though it sends them.
    const blocking = { key: `${p}/`, recurse: true, index, wait: '30s' } as { key: string; recurse: true };
    const pending = (consul.kv.get(blocking) as unknown as Promise<Entry[]>).then((v) => ((woke = true), v));
    await consul.kv.set(`${uniq('elsewhere')}`, 'x');
    await sleep(300);
    expect(woke).toBe(false);
    await consul.kv.set(`${p}/deep/b`, '2');
    const entries = await pending;
    expect(entries.map((e) => e.Key)).toEqual([`${p}/a`, `${p}/deep/b`]);
  });

  it('loses no update when many clients CAS-increment one key', async () => {
    const key = uniq('counter');
    await consul.kv.set({ key, value: '0', cas: 0 });
    const clients = Array.from({ length: 8 }, client);
    const successes = await Promise.all(
      clients.map(async (c) => {
        let won = 0;
        for (let attempt = 0; attempt < 15; attempt++) {
          const entry = (await c.kv.get(key)) as Entry;
          if (await c.kv.set({ key, value: String(Number(entry.Value) + 1), cas: entry.ModifyIndex })) won++;
        }
        return won;
      }),
    );
    const total = successes.reduce((a, b) => a + b, 0);
    expect(total).toBeGreaterThan(0);
    expect(Number((await get(key))!.Value)).toBe(total);
  });
});
