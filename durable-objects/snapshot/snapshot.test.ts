import { runDurableObjectAlarm } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { toPreparedQuery } from '../../worker/consul/parse-query';
import { GLOBAL_MANAGEMENT_RULES } from '../../worker/acl/rules';
import { freshDatacenter, inObject, NOW, service, ttlCheck } from '../test-support';
import { encodeSnapshot } from './format';
import { dumpTables, stateTables } from './tables';

type Stub = ReturnType<typeof freshDatacenter>;

/** Resolves once `count` blocking reads are parked in the object, so a restore cannot run before they wait. */
async function parkedWatchers(dc: Stub, count: number): Promise<void> {
  while ((await inObject(dc, (instance) => instance.watches.held)) < count) await scheduler.wait(1);
}
const bytes = (text: string) => new TextEncoder().encode(text).buffer as ArrayBuffer;
const tables = (dc: Stub) => inObject(dc, (_i, state) => dumpTables(state.storage.sql).tables);
const must = <T>(o: { ok: true; value: T } | { ok: false; reason: string }): T => {
  if (!o.ok) throw new Error(o.reason);
  return o.value;
};

/** Puts at least one row in every state table, each through the object's own write path. */
async function populate(dc: Stub): Promise<string> {
  must(await dc.agentServiceRegister({ service: service('web-1', 'web'), checks: [ttlCheck('web-1', 30_000)], replaceExistingChecks: false }));
  must(await dc.catalogRegister({
    node: { Node: 'n1', ID: crypto.randomUUID(), Address: '10.0.0.9', TaggedAddresses: {}, Meta: { rack: 'r1' } },
    skipNodeUpdate: false,
    service: service('db-1', 'db'),
    checks: [{ CheckID: 'db-alive', Name: 'db', Notes: '', ServiceID: 'db-1', Type: '', Run: {}, Status: 'passing', Output: 'ok' }],
  }));
  must(await dc.kvsApply({ Verb: 'set', Key: 'app/config', Value: bytes('v1'), Flags: '42' } as never));
  must(await dc.kvsApply({ Verb: 'set', Key: 'app/binary', Value: new Uint8Array([0, 255, 1, 128]).buffer } as never));
  must(await dc.kvsApply({ Verb: 'set', Key: 'app/gone', Value: bytes('x') } as never));
  must(await dc.kvsApply({ Verb: 'delete', Key: 'app/gone' } as never));
  const session = must(await dc.sessionCreate({ Name: 's', Node: '', LockDelayMs: 15_000, Behavior: 'release', TTL: '60s', TTLMs: 60_000, NodeChecks: ['serfHealth'], ServiceChecks: null }));
  must(await dc.kvsApply({ Verb: 'lock', Key: 'app/leader', Value: bytes('me'), Session: session } as never));
  const parsed = toPreparedQuery(crypto.randomUUID(), { Name: 'web-query', Service: { Service: 'web' } });
  if (!('query' in parsed)) throw new Error(parsed.reason);
  must(dc.preparedQueryApply('create', parsed.query) as never);
  must(await dc.aclWrite({ kind: 'bootstrap', secret: crypto.randomUUID() }, GLOBAL_MANAGEMENT_RULES));
  must(await dc.aclWrite({ kind: 'policy-set', create: true, policy: { ID: crypto.randomUUID(), Name: 'p1', Description: '', Rules: 'key_prefix "" { policy = "read" }' } }, GLOBAL_MANAGEMENT_RULES));
  must(await dc.aclWrite({ kind: 'role-set', create: true, role: { ID: crypto.randomUUID(), Name: 'r1', Description: '', Policies: [{ Name: 'p1' }] } }, GLOBAL_MANAGEMENT_RULES));
  return session;
}

/** Changes (or removes) something in every table the restore must bring back. */
async function wipe(dc: Stub, session: string): Promise<void> {
  must(await dc.sessionDestroy(session));
  must(await dc.kvsApply({ Verb: 'delete-tree', Key: 'app/' } as never));
  must(await dc.kvsApply({ Verb: 'set', Key: 'new/key', Value: bytes('after') } as never));
  must(await dc.catalogDeregister({ Node: 'n1' }));
  must(await dc.agentServiceDeregister('web-1'));
  await inObject(dc, (_i, state) => {
    for (const t of ['prepared_queries', 'acl_tokens', 'acl_policies', 'acl_roles', 'acl_state']) state.storage.sql.exec(`DELETE FROM ${t}`);
  });
}

async function gzipText(text: string): Promise<Uint8Array> {
  return new Uint8Array(await new Response(new Blob([text]).stream().pipeThrough(new CompressionStream('gzip'))).arrayBuffer());
}

describe('snapshots of the Datacenter object', () => {
  it('round-trips every state table through save, wipe and restore, with every index moved forward', async () => {
    const dc = freshDatacenter();
    const session = await populate(dc);
    const saved = await tables(dc);
    for (const name of await inObject(dc, (_i, s) => stateTables(s.storage.sql))) expect(saved[name]!.rows.length, name).toBeGreaterThan(0);
    const { index: savedIndex, file } = must(await dc.snapshotSave());
    await wipe(dc, session);
    const beforeRestore = (await dc.getStats()).index;
    expect(await tables(dc)).not.toEqual(saved);

    const restored = must(await dc.snapshotRestore(file));
    expect(restored).toBeGreaterThan(Math.max(savedIndex, beforeRestore));
    expect(await tables(dc)).toEqual(saved);
    // No index row went back: every one now stands at the restore's index.
    const rows = await inObject(dc, (_i, s) => s.storage.sql.exec<{ name: string; value: number }>('SELECT name, value FROM index_rows').toArray());
    expect(rows.every((r) => r.value === restored)).toBe(true);
    // Reads on index rows report the restore; a KV entry keeps its saved ModifyIndex, as in Consul.
    expect(await dc.healthServiceNodes('web', NOW)).toMatchObject({ index: restored, value: [{ Service: { ID: 'web-1' } }] });
    expect((await dc.kvsGet('app/leader', NOW)).value?.Session).toBe(session);
  });

  it('wakes a watcher blocked on a key the restore brings back', async () => {
    const dc = freshDatacenter();
    const session = await populate(dc);
    const { file } = must(await dc.snapshotSave());
    await wipe(dc, session);
    const parked = await dc.kvsGet('app/config', NOW);
    expect(parked.value).toBeNull();
    const watch = dc.kvsGet('app/config', { minIndex: parked.index, waitMs: 60_000 });
    await parkedWatchers(dc, 1);
    must(await dc.snapshotRestore(file));
    const woken = await watch;
    expect(new TextDecoder().decode(woken.value!.Value!)).toBe('v1');
  });

  it('answers a watcher on a service the restore leaves as it was saved, and one on a missing key', async () => {
    const dc = freshDatacenter();
    const session = await populate(dc);
    const { file } = must(await dc.snapshotSave());
    await wipe(dc, session);
    const parked = await dc.healthServiceNodes('web', NOW);
    expect(parked.value).toEqual([]);
    const watches = [dc.healthServiceNodes('web', { minIndex: parked.index, waitMs: 60_000 }), dc.kvsGet('never/there', { minIndex: 1_000_000, waitMs: 60_000 })];
    await parkedWatchers(dc, 2);
    must(await dc.snapshotRestore(file));
    const [health, missing] = await Promise.all(watches);
    expect(health!.index).toBeGreaterThan(parked.index);
    expect(missing!.value).toBeNull();
  });

  it('re-arms timers: a restored TTL check gets a fresh TTL, then expires; a restored session gets its TTL', async () => {
    const dc = freshDatacenter();
    const session = await populate(dc);
    const { file } = must(await dc.snapshotSave());
    await wipe(dc, session);
    must(await dc.snapshotRestore(file));
    const deadlines = await inObject(dc, (i) => ({ ttl: i.timers.get('ttl:service:web-1'), session: i.timers.get(`session:${session}`), now: i.clock.now() }));
    expect(deadlines.ttl! - deadlines.now).toBeGreaterThan(29_000);
    expect(deadlines.session! - deadlines.now).toBeGreaterThan(119_000);
    await inObject(dc, (i) => i.clock.advance(31_000));
    await runDurableObjectAlarm(dc as unknown as DurableObjectStub);
    const checks = (await dc.healthServiceChecks('web', NOW)).value;
    expect(checks.map((c) => c.Status)).toEqual(['critical']);
  });

  const refusals: { name: string; file: () => Promise<Uint8Array>; reason: RegExp }[] = [
    { name: 'a truncated file', file: async () => (await saveOf()).slice(0, -20), reason: /failed to decompress snapshot|hash check failed/ },
    { name: 'a file cut in half', file: async () => { const f = await saveOf(); return f.slice(0, f.length >> 1); }, reason: /failed to decompress snapshot|hash check failed/ },
    { name: 'a file that is not gzip', file: async () => new TextEncoder().encode('hello'), reason: /^failed to decompress snapshot/ },
    { name: "another program's gzip (a Consul tar)", file: () => gzipText('meta.json\x00\x00\x000000644\x00'), reason: /^not a Beacon snapshot/ },
    { name: 'another format', file: () => gzipText('{"format":"consul","version":1}\n{}'), reason: /^not a Beacon snapshot: format "consul"/ },
    { name: 'a newer version', file: () => gzipText('{"format":"beacon-snapshot","version":99}\n{}'), reason: /^unsupported snapshot version 99/ },
    { name: 'an altered body', file: async () => gzipText((await gunzipText(await saveOf())).replace('web-query', 'web-querx')), reason: /^failed checking integrity of snapshot/ },
    { name: 'another datacenter', file: () => encodeSnapshot({ datacenter: 'elsewhere', index: 5, createdAt: '' }, { indexes: {}, tables: {} }), reason: /^snapshot is of datacenter "elsewhere"/ },
    { name: 'a table this Beacon lacks', file: async () => own({ indexes: {}, tables: { bogus: { columns: [], rows: [] } } }), reason: /^unexpected table "bogus"/ },
    { name: 'a row SQLite refuses', file: async () => withKvRow([null, null, '0', null, 0, 1, 1]), reason: /^snapshot rejected: .*NOT NULL/ },
  ];
  let source: Stub;
  let target: Stub;
  const saveOf = async () => must(await source.snapshotSave()).file;
  const gunzipText = async (f: Uint8Array) => new Response(new Blob([f]).stream().pipeThrough(new DecompressionStream('gzip'))).text();
  const own = async (body: Parameters<typeof encodeSnapshot>[1]) => encodeSnapshot({ datacenter: await inObject(target, (_i, s) => s.id.name!), index: 1, createdAt: '' }, body);
  async function withKvRow(row: unknown[]) {
    const body = await inObject(target, (_i, s) => dumpTables(s.storage.sql));
    body.tables.kvs!.rows.push(row);
    return own(body);
  }

  it.each(refusals)('refuses $name with a 400 and changes nothing', async ({ file, reason }) => {
    source = freshDatacenter();
    await populate(source);
    target = source;
    const before = await tables(target);
    const index = (await target.getStats()).index;
    const outcome = await target.snapshotRestore(await file());
    expect(outcome).toMatchObject({ ok: false, status: 400 });
    expect(outcome.ok ? '' : outcome.reason).toMatch(reason);
    expect(await tables(target)).toEqual(before);
    expect((await target.getStats()).index).toBe(index);
  });
});
