import { abortAllDurableObjects, env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { REPLICATION_TIMER, replicationPlan } from './replication';
import { inObject, NOW } from '../test-support';

const bytes = (text: string) => new TextEncoder().encode(text).buffer as ArrayBuffer;
const text = (value: ArrayBuffer | null) => (value ? new TextDecoder().decode(value) : '');
const dc = (name: string) => env.DATACENTER_OBJECT.getByName(name);

/** Runs one replication pull in `name` now, and checks the next one is scheduled on its alarm. */
async function pull(name: string): Promise<void> {
  const next = await inObject(dc(name), async (instance) => {
    await instance.replica.pull();
    return instance.timers.get(REPLICATION_TIMER);
  });
  expect(next).toBeGreaterThan(Date.now());
}

const snapshot = async (name: string, prefix: string) =>
  (await dc(name).kvsList(prefix, NOW)).value.map((e) => [e.Key, text(e.Value), e.Flags]);

describe('KV replication from the primary', () => {
  it.each([
    ['the primary', 'dc1', null],
    ['a secondary', 'dc2', { primary: 'dc1', prefixes: ['global/'], intervalMs: 5000 }],
    ['an object that is no declared datacenter', 't-elsewhere', null],
  ])('plans replication only for %s', (_, self, plan) => {
    expect(replicationPlan(env.FEDERATION, self)).toEqual(plan);
  });

  it('mirrors the primary\'s keys under the prefix into a secondary, deletes extra ones and leaves other keys alone', async () => {
    const p = `global/${crypto.randomUUID()}/`;
    await dc('dc1').kvsApply({ Verb: 'set', Key: `${p}a`, Value: bytes('1'), Flags: '5' });
    await dc('dc1').kvsApply({ Verb: 'set', Key: `${p}b`, Value: bytes('2') });
    await dc('dc2').kvsApply({ Verb: 'set', Key: `${p}stale`, Value: bytes('old') });
    await dc('dc2').kvsApply({ Verb: 'set', Key: `local/${p}`, Value: bytes('mine') });
    await pull('dc2');
    expect(await snapshot('dc2', p)).toEqual([[`${p}a`, '1', '5'], [`${p}b`, '2', '0']]);

    await dc('dc1').kvsApply({ Verb: 'delete', Key: `${p}a` });
    await dc('dc1').kvsApply({ Verb: 'set', Key: `${p}b`, Value: bytes('3') });
    await pull('dc2');
    expect(await snapshot('dc2', p)).toEqual([[`${p}b`, '3', '0']]);
    expect(text((await dc('dc2').kvsGet(`local/${p}`, NOW)).value!.Value)).toBe('mine');
    expect((await dc('dc1').kvsGet(`${p}stale`, NOW)).value).toBeNull();
  });

  it('takes no index in the secondary when nothing changed', async () => {
    await pull('dc3');
    const before = await dc('dc3').getStats();
    await pull('dc3');
    expect((await dc('dc3').getStats()).index).toBe(before.index);
  });

  it('catches a secondary up as it wakes, before its first KV read is answered', async () => {
    const key = `global/${crypto.randomUUID()}`;
    await dc('dc1').kvsApply({ Verb: 'set', Key: key, Value: bytes('fresh') });
    await abortAllDurableObjects();
    expect(text((await dc('dc3').kvsGet(key, NOW)).value?.Value ?? null)).toBe('fresh');
  });
});
