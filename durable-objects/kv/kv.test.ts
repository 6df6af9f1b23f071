import { abortAllDurableObjects, env, runDurableObjectAlarm } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { KvOp } from '../../worker/consul/kv';
import type { SessionCreateRequest } from '../../worker/consul/session';
import { freshDatacenter, inObject, NOW, service, ttlCheck } from '../test-support';

type Stub = ReturnType<typeof freshDatacenter>;

const bytes = (text: string) => new TextEncoder().encode(text).buffer as ArrayBuffer;
const text = (value: ArrayBuffer | null) => (value ? new TextDecoder().decode(value) : '');
const set = (dc: Stub, key: string, value = 'v', extra: Partial<KvOp> = {}) => dc.kvsApply({ Verb: 'set', Key: key, Value: bytes(value), ...extra });
/** What a write that takes effect moves: the write counter and the index (not batches, which no-op writes use too). */
const writeState = async (dc: Stub) => {
  const { writes, index } = await dc.getStats();
  return { writes, index };
};
const advance = (dc: Stub, ms: number) => inObject(dc, (instance) => instance.clock.advance(ms));
const sessionReq = (extra: Partial<SessionCreateRequest> = {}): SessionCreateRequest => ({
  Name: '', Node: '', LockDelayMs: 15_000, Behavior: 'release', TTL: '', TTLMs: 0, NodeChecks: ['serfHealth'], ServiceChecks: null, ...extra,
});
async function newSession(dc: Stub, extra: Partial<SessionCreateRequest> = {}): Promise<string> {
  const outcome = await dc.sessionCreate(sessionReq(extra));
  if (!outcome.ok) throw new Error(outcome.reason);
  return outcome.value;
}
const acquire = async (dc: Stub, key: string, session: string) => (await dc.kvsApply({ Verb: 'lock', Key: key, Value: bytes(session), Session: session })) as { ok: true; value: boolean };

describe('KV indexes', () => {
  it('never move backwards when a key under a prefix is deleted (tombstones)', async () => {
    const dc = freshDatacenter();
    await set(dc, 'app/a');
    await set(dc, 'app/b');
    const before = await dc.kvsList('app/', NOW);
    await dc.kvsApply({ Verb: 'delete', Key: 'app/b' });
    const after = await dc.kvsList('app/', NOW);
    expect(after.value.map((e) => e.Key)).toEqual(['app/a']);
    expect(after.index).toBeGreaterThan(before.index);
    expect((await dc.kvsListKeys('app/', '', NOW)).index).toBe(after.index);
    // The deleted key itself reports the table's index, at least the delete's.
    expect((await dc.kvsGet('app/b', NOW)).index).toBeGreaterThanOrEqual(after.index);
  });

  it('forget tombstones after 15 minutes, as Consul\'s reaper does, without taking an index', async () => {
    const dc = freshDatacenter();
    await set(dc, 'app/a');
    await set(dc, 'app/b');
    const live = (await dc.kvsGet('app/a', NOW)).index;
    await dc.kvsApply({ Verb: 'delete', Key: 'app/b' });
    const withTombstone = (await dc.kvsList('app/', NOW)).index;
    expect(withTombstone).toBeGreaterThan(live);
    await advance(dc, 14 * 60_000);
    await runDurableObjectAlarm(dc);
    expect((await dc.kvsListKeys('app/', '', NOW)).index).toBe(withTombstone);
    await advance(dc, 2 * 60_000);
    await runDurableObjectAlarm(dc);
    await set(dc, 'other');
    expect((await dc.kvsListKeys('app/', '', NOW)).index).toBe(live);
    expect((await dc.getStats()).index).toBe((await dc.kvsGet('other', NOW)).index);
  });

  it('report a prefix that never held anything at the whole table\'s index', async () => {
    const dc = freshDatacenter();
    await set(dc, 'x');
    const { index } = await dc.kvsList('nothing/', NOW);
    expect(index).toBe((await dc.kvsGet('x', NOW)).index);
  });

  it('take no index for a write that changes nothing', async () => {
    const dc = freshDatacenter();
    await set(dc, 'k', 'same');
    const before = await writeState(dc);
    await set(dc, 'k', 'same');
    await dc.kvsApply({ Verb: 'delete', Key: 'missing' });
    expect(await writeState(dc)).toEqual(before);
  });
});

describe('group commit', () => {
  it('applies writes that arrive together in one batch, each with its own index and CAS check', async () => {
    const dc = freshDatacenter();
    await set(dc, 'counter', 'start');
    const { index } = await dc.kvsGet('counter', NOW);
    const before = await dc.getStats();
    // Issued inside the object in one turn, so they arrive together however loaded the machine is
    // (ten separate RPCs may each land in their own macrotask on a busy 2-core CI runner).
    const answers = await inObject(dc, (instance) =>
      Promise.all(Array.from({ length: 10 }, (_, i) => instance.kvsApply({ Verb: 'cas', Key: 'counter', Index: index, Value: bytes(String(i)) }))));
    const after = await dc.getStats();
    expect(answers.filter((a) => a.ok && a.value)).toHaveLength(1);
    expect(after.writes - before.writes).toBe(1);
    expect(after.writeBatches - before.writeBatches).toBe(1);
  });
});

describe('locks and lock-delay', () => {
  it('lets exactly one session hold a key; the holder may rewrite it without a new LockIndex', async () => {
    const dc = freshDatacenter();
    const [a, b] = [await newSession(dc), await newSession(dc)];
    expect((await acquire(dc, 'leader', a)).value).toBe(true);
    expect((await acquire(dc, 'leader', b)).value).toBe(false);
    expect((await acquire(dc, 'leader', a)).value).toBe(true);
    const entry = (await dc.kvsGet('leader', NOW)).value!;
    expect(entry).toMatchObject({ Session: a, LockIndex: 1 });
    expect(text(entry.Value)).toBe(a);
  });

  it('keeps the holder and LockIndex of a locked key through a plain write, and its CreateIndex', async () => {
    const dc = freshDatacenter();
    const a = await newSession(dc);
    await acquire(dc, 'leader', a);
    const held = (await dc.kvsGet('leader', NOW)).value!;
    expect((await set(dc, 'leader', 'plain')).ok).toBe(true);
    const entry = (await dc.kvsGet('leader', NOW)).value!;
    expect(entry).toMatchObject({ Session: a, LockIndex: 1, CreateIndex: held.CreateIndex });
    expect(entry.ModifyIndex).toBeGreaterThan(held.ModifyIndex);
    expect(text(entry.Value)).toBe('plain');
  });

  it('blocks re-acquisition for the lock delay after the holder is invalidated, then allows it', async () => {
    const dc = freshDatacenter();
    const [a, b] = [await newSession(dc, { LockDelayMs: 15_000 }), await newSession(dc)];
    await acquire(dc, 'leader', a);
    await dc.sessionDestroy(a);
    expect((await dc.kvsGet('leader', NOW)).value).toMatchObject({ LockIndex: 1 });
    expect((await dc.kvsGet('leader', NOW)).value).not.toHaveProperty('Session');
    expect((await acquire(dc, 'leader', b)).value).toBe(false);
    await advance(dc, 14_000);
    expect((await acquire(dc, 'leader', b)).value).toBe(false);
    await advance(dc, 1_001);
    expect((await acquire(dc, 'leader', b)).value).toBe(true);
    expect((await dc.kvsGet('leader', NOW)).value).toMatchObject({ Session: b, LockIndex: 2 });
  });

  it('applies at most a minute of lock delay, and none after a plain release', async () => {
    const dc = freshDatacenter();
    const [a, b] = [await newSession(dc, { LockDelayMs: 3_600_000 }), await newSession(dc)];
    await acquire(dc, 'k', a);
    expect((await dc.kvsApply({ Verb: 'unlock', Key: 'k', Session: a })).ok).toBe(true);
    expect((await acquire(dc, 'k', b)).value).toBe(true);
    await dc.kvsApply({ Verb: 'unlock', Key: 'k', Session: b });
    await acquire(dc, 'k', a);
    await dc.sessionDestroy(a);
    await advance(dc, 60_001);
    expect((await acquire(dc, 'k', b)).value).toBe(true);
  });

  it('deletes the held keys of a session with Behavior "delete"', async () => {
    const dc = freshDatacenter();
    const a = await newSession(dc, { Behavior: 'delete', LockDelayMs: 0 });
    await acquire(dc, 'member/a', a);
    await set(dc, 'member/plain');
    await dc.sessionDestroy(a);
    expect((await dc.kvsListKeys('member/', '', NOW)).value).toEqual(['member/plain']);
  });
});

describe('session invalidation', () => {
  it('expires a TTL session after twice its TTL, not before, and releases its keys', async () => {
    const dc = freshDatacenter();
    const a = await newSession(dc, { TTL: '10s', TTLMs: 10_000 });
    await acquire(dc, 'leader', a);
    await advance(dc, 15_000);
    await runDurableObjectAlarm(dc);
    expect((await dc.sessionGet(a, NOW)).value).toHaveLength(1);
    await advance(dc, 5_001);
    expect(await runDurableObjectAlarm(dc)).toBe(true);
    expect((await dc.sessionGet(a, NOW)).value).toEqual([]);
    expect((await dc.kvsGet('leader', NOW)).value).not.toHaveProperty('Session');
  });

  it('keeps a renewed session alive past its first deadline', async () => {
    const dc = freshDatacenter();
    const a = await newSession(dc, { TTL: '10s', TTLMs: 10_000 });
    await advance(dc, 15_000);
    expect((await dc.sessionRenew(a)).ok).toBe(true);
    await advance(dc, 15_000);
    await runDurableObjectAlarm(dc);
    expect((await dc.sessionGet(a, NOW)).value).toHaveLength(1);
    expect(await dc.sessionRenew('00000000-0000-4000-8000-000000000000')).toMatchObject({ ok: false, status: 404 });
  });

  it('ends a session at once when its check turns critical, in the same write', async () => {
    const dc = freshDatacenter();
    await dc.agentServiceRegister({ service: service('db'), checks: [{ ...ttlCheck('db', 30_000), Status: 'passing' }], replaceExistingChecks: false });
    const a = await newSession(dc, { NodeChecks: ['serfHealth', 'service:db'] });
    await acquire(dc, 'leader', a);
    const before = (await dc.kvsGet('leader', NOW)).value!.ModifyIndex;
    await dc.agentCheckUpdate('service:db', 'critical', 'down');
    expect((await dc.sessionGet(a, NOW)).value).toEqual([]);
    const entry = (await dc.kvsGet('leader', NOW)).value!;
    expect(entry).not.toHaveProperty('Session');
    expect(entry.ModifyIndex).toBeGreaterThan(before);
  });

  it('ends a session when its check is deregistered, and refuses one on a critical or missing check', async () => {
    const dc = freshDatacenter();
    await dc.agentServiceRegister({ service: service('db'), checks: [{ ...ttlCheck('db', 30_000), Status: 'passing' }], replaceExistingChecks: false });
    const a = await newSession(dc, { NodeChecks: ['service:db'] });
    await dc.agentServiceDeregister('db');
    expect((await dc.sessionGet(a, NOW)).value).toEqual([]);
    expect(await dc.sessionCreate(sessionReq({ NodeChecks: ['service:db'] }))).toEqual({ ok: false, status: 500, reason: "Missing check 'service:db' registration" });
    await dc.agentServiceRegister({ service: service('db'), checks: [ttlCheck('db', 30_000)], replaceExistingChecks: false });
    expect(await dc.sessionCreate(sessionReq({ NodeChecks: ['service:db'] }))).toEqual({ ok: false, status: 500, reason: "Check 'service:db' is in critical state" });
    expect(await dc.sessionCreate(sessionReq({ Node: 'nowhere' }))).toEqual({ ok: false, status: 500, reason: 'Missing node registration' });
  });

  it('gives TTL sessions a full grace period again after the object restarts, keeping their locks', async () => {
    const name = `t-${crypto.randomUUID()}`;
    const before = env.DATACENTER_OBJECT.getByName(name);
    const a = await newSession(before, { TTL: '10s', TTLMs: 10_000 });
    await acquire(before, 'leader', a);
    await abortAllDurableObjects();
    const restartedAt = Date.now();
    const dc = env.DATACENTER_OBJECT.getByName(name);
    const deadline = await inObject(dc, (instance) => instance.timers.get(`session:${a}`));
    expect(deadline).toBeGreaterThanOrEqual(restartedAt + 20_000 - 50);
    expect((await dc.kvsGet('leader', NOW)).value).toMatchObject({ Session: a, LockIndex: 1 });
  });
});

describe('transactions', () => {
  it('roll back every operation and take no index when one fails', async () => {
    const dc = freshDatacenter();
    await set(dc, 'existing', 'old');
    const before = await writeState(dc);
    const outcome = await dc.txnApply([
      { KV: { Verb: 'set', Key: 'new', Value: bytes('n') } },
      { KV: { Verb: 'delete', Key: 'existing' } },
      { KV: { Verb: 'cas', Key: 'existing', Index: 999, Value: bytes('x') } },
      { KV: { Verb: 'frob' as never, Key: 'x' } },
    ]);
    expect(outcome).toEqual({
      ok: false,
      errors: [
        { OpIndex: 2, What: 'failed to set key "existing", index is stale' },
        { OpIndex: 3, What: 'unknown KV verb "frob"' },
      ],
    });
    expect(await writeState(dc)).toEqual(before);
    expect((await dc.kvsGet('new', NOW)).value).toBeNull();
    expect(text((await dc.kvsGet('existing', NOW)).value!.Value)).toBe('old');
    expect((await dc.kvsList('', NOW)).index).toBe(before.index);
  });

  it('apply operations in order, each seeing the ones before it', async () => {
    const dc = freshDatacenter();
    const outcome = await dc.txnApply([
      { KV: { Verb: 'check-not-exists', Key: 'k' } },
      { KV: { Verb: 'set', Key: 'k', Value: bytes('1') } },
      { KV: { Verb: 'get', Key: 'k' } },
      { KV: { Verb: 'delete-tree', Key: 'k' } },
      { KV: { Verb: 'get-or-empty', Key: 'k' } },
    ]);
    if (!outcome.ok) throw new Error(JSON.stringify(outcome.errors));
    expect(outcome.value).toHaveLength(2);
    expect(outcome.value[0]).toMatchObject({ KV: { Key: 'k', Value: null } });
    expect(text((outcome.value[1] as { KV: { Value: ArrayBuffer } }).KV.Value)).toBe('1');
  });
});
