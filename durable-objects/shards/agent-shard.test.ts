import { env, runDurableObjectAlarm } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { CheckSpec } from '../../worker/consul/check';
import type { Datacenter } from '../datacenter';
import { inObject, service, ttlCheck } from '../test-support';
import { shardOf } from './shard-of';
import { advanceShard, freshNamedDatacenter, inShard, restart, settled, shardAt, SHARDS, shardFor } from './test-support';

type Stub = DurableObjectStub<Datacenter>;
const ID = 'service:web-1';

async function setup(checks: CheckSpec[] = [ttlCheck('web-1', 10_000)]) {
  const { name, dc } = freshNamedDatacenter();
  await dc.agentServiceRegister({ service: service('web-1', 'web'), checks, replaceExistingChecks: false });
  await settled(dc); // a registration answers once the catalog has it; its shard hears of it just after
  return { name, dc, shard: shardFor(name, ID) };
}

const checkOf = async (dc: Stub, checkId = ID) => (await dc.agentChecks()).find((c) => c.CheckID === checkId);
const owned = async (shard: ReturnType<typeof shardAt>) => (await shard.getStats()).checks;

describe('TTL checks on their agent shard', () => {
  it('turn critical with "TTL expired" once the TTL passes without a heartbeat (the shard alarm)', async () => {
    const { dc, shard } = await setup([{ ...ttlCheck('web-1', 10_000), Status: 'passing' }]);
    expect(await advanceShard(shard, 10_001)).toBe(true);
    expect(await checkOf(dc)).toMatchObject({ Status: 'critical', Output: 'TTL expired' });
  });

  it('keep the last output in the expiry message', async () => {
    const { dc, shard } = await setup();
    await shard.checkUpdate(ID, 'passing', 'all good');
    await advanceShard(shard, 10_001);
    expect((await checkOf(dc))?.Output).toBe('TTL expired (last output before timeout follows): all good');
  });

  it('stay passing while heartbeats arrive within the TTL', async () => {
    const { dc, shard } = await setup();
    await shard.checkUpdate(ID, 'passing', '');
    await advanceShard(shard, 8_000);
    await shard.checkUpdate(ID, 'passing', '');
    await advanceShard(shard, 8_000);
    expect((await checkOf(dc))?.Status).toBe('passing');
  });

  it('cost the Datacenter no request and no write for a heartbeat that changes nothing', async () => {
    const { dc, shard } = await setup();
    await shard.checkUpdate(ID, 'passing', 'ok');
    const before = await dc.getStats();
    for (let i = 0; i < 5; i++) expect(await shard.checkUpdate(ID, 'passing', 'ok')).toBe(true);
    expect(await dc.getStats()).toEqual(before);
  });

  it('send a status change to the catalog before answering', async () => {
    const { dc, shard } = await setup();
    const before = (await dc.getStats()).index;
    await shard.checkUpdate(ID, 'warning', 'slow');
    expect(await checkOf(dc)).toMatchObject({ Status: 'warning', Output: 'slow' });
    expect((await dc.getStats()).index).toBeGreaterThan(before);
  });

  it('hold an output-only change until check_update_interval, then sync it', async () => {
    const { dc, shard } = await setup([ttlCheck('web-1', 600_000)]);
    await shard.checkUpdate(ID, 'passing', 'one');
    await shard.checkUpdate(ID, 'passing', 'two');
    expect((await checkOf(dc))?.Output).toBe('one');
    expect(await shard.pending()).toEqual([{ checkId: ID, status: 'passing', output: 'two', kind: 'ttl' }]);
    await advanceShard(shard, 5 * 60_000 + 1);
    expect((await checkOf(dc))?.Output).toBe('two');
    expect(await shard.pending()).toEqual([]);
  });

  it('turn passing again on the first heartbeat after they expired', async () => {
    const { dc, shard } = await setup();
    await shard.checkUpdate(ID, 'passing', 'ok');
    await advanceShard(shard, 10_001);
    expect((await checkOf(dc))?.Status).toBe('critical');
    await shard.checkUpdate(ID, 'passing', 'ok');
    expect(await checkOf(dc)).toMatchObject({ Status: 'passing', Output: 'ok' });
  });

  it('get a fresh full TTL after the shard restarts instead of flapping critical', async () => {
    const { name, dc, shard: before } = await setup([ttlCheck('web-1', 60_000)]);
    await before.checkUpdate(ID, 'passing', '');
    await restart(before);
    const shard = shardFor(name, ID);
    const restartedAt = Date.now();
    const deadline = await inShard(shard, (instance) => instance.timers.get(`ttl:${ID}`));
    expect(deadline).toBeGreaterThanOrEqual(restartedAt + 60_000 - 50);
    await runDurableObjectAlarm(shard as unknown as DurableObjectStub);
    expect((await checkOf(dc))?.Status).toBe('passing');
  });

  it('keep running, and keep their deadline, when the Datacenter restarts', async () => {
    const { name, dc: before, shard } = await setup();
    await shard.checkUpdate(ID, 'passing', '');
    const deadline = await inShard(shard, (instance) => instance.timers.get(`ttl:${ID}`));
    await restart(before);
    const dc = env.DATACENTER_OBJECT.getByName(name);
    await dc.getStats(); // the restarted Datacenter re-syncs its shards from the catalog
    expect(await owned(shard)).toEqual([ID]);
    expect(await inShard(shard, (instance) => instance.timers.get(`ttl:${ID}`))).toBe(deadline);
    await advanceShard(shard, 10_001);
    expect((await checkOf(dc))?.Status).toBe('critical');
  });
});

describe('registration and the shards', () => {
  it('gives a registered TTL check to its shard only, and takes it back on deregistration', async () => {
    const { name, dc, shard } = await setup();
    const index = shardOf(ID, SHARDS);
    for (let i = 0; i < SHARDS; i++) expect(await owned(shardAt(name, i))).toEqual(i === index ? [ID] : []);
    expect((await dc.agentServiceDeregister('web-1')).ok).toBe(true);
    expect(await owned(shard)).toEqual([]);
    expect(await shard.checkUpdate(ID, 'passing', '')).toBeNull();
  });

  it('gives HTTP and TCP checks to their shards too, and keeps maintenance checks in the Datacenter', async () => {
    const probe: CheckSpec = { CheckID: 'probe', Name: 'probe', Notes: '', ServiceID: 'web-1', Type: 'tcp', Run: { TCP: '127.0.0.1:1', Interval: 60_000 } };
    const { name, dc } = await setup([probe]);
    expect(await owned(shardFor(name, 'probe'))).toEqual(['probe']);
    expect((await dc.agentServiceMaintenance('web-1', true, '')).ok).toBe(true);
    await settled(dc);
    expect(await owned(shardFor(name, '_service_maintenance:web-1'))).not.toContain('_service_maintenance:web-1');
  });

  it('lets the Datacenter hand a heartbeat to the owner when the shard lost the check', async () => {
    const { dc, shard } = await setup();
    await shard.sync({ replace: true, own: [], drop: [] });
    expect(await shard.checkUpdate(ID, 'passing', 'back')).toBeNull();
    expect(await dc.agentCheckUpdate(ID, 'passing', 'back')).toEqual({ ok: true, value: null });
    expect(await owned(shard)).toEqual([ID]);
    expect(await checkOf(dc)).toMatchObject({ Status: 'passing', Output: 'back' });
  });

  it('drops the checks a shard no longer owns (a changed shard count) once, when it starts', async () => {
    const { name, dc, shard } = await setup([{ ...ttlCheck('web-1', 10_000), Status: 'passing' }]);
    const otherAt = (shardOf(ID, SHARDS) + 1) % SHARDS;
    const before = shardAt(name, otherAt);
    const check = { checkId: ID, owner: 'web', ttl: 5_000, status: 'passing' as const, output: '' };
    await before.sync({ replace: false, own: [check], drop: [] });
    expect(await owned(before)).toEqual([ID]);
    await restart(before);
    const other = shardAt(name, otherAt);
    expect(await owned(other)).toEqual([]);
    expect(await inShard(other, (_i, state) => state.storage.sql.exec('SELECT count(*) AS n FROM shard_checks').one().n)).toBe(0);
    await advanceShard(other, 5_001); // its old TTL alarm, stored before the restart, finds nothing to expire
    expect((await checkOf(dc))?.Status).toBe('passing');
    expect(await owned(shard)).toEqual([ID]);
  });

  it('reaps a service whose shard-expired check stayed critical past DeregisterCriticalServiceAfter (both alarms)', async () => {
    const { dc, shard } = await setup([{ ...ttlCheck('web-1', 10_000, { DeregisterCriticalServiceAfter: 60_000 }), Status: 'passing' }]);
    await advanceShard(shard, 10_001);
    expect((await checkOf(dc))?.Status).toBe('critical');
    await inObject(dc, (instance) => instance.clock.advance(60_001));
    await runDurableObjectAlarm(dc as unknown as DurableObjectStub);
    expect(await dc.agentServices()).toEqual([]);
    expect(await owned(shard)).toEqual([]);
  });

  it('re-syncs the shards after a snapshot restore', async () => {
    const { dc, shard } = await setup();
    const saved = await dc.snapshotSave();
    if (!saved.ok) throw new Error(saved.reason);
    await dc.agentServiceDeregister('web-1');
    expect(await owned(shard)).toEqual([]);
    expect((await dc.snapshotRestore(saved.value.file)).ok).toBe(true);
    expect(await owned(shard)).toEqual([ID]);
  });
});

describe("the shard's metrics", () => {
  it('count the heartbeats it applied, the timers its alarm fired by kind, and the alarm lag', async () => {
    const { shard } = await setup([ttlCheck('web-1', 600_000)]);
    await shard.checkUpdate(ID, 'passing', 'one');
    await shard.checkUpdate(ID, 'passing', 'two'); // output only: a report-sync timer
    await advanceShard(shard, 10 * 60_000 + 1); // past the sync (at most 5 min) and the TTL (10 min)
    const { counters, samples } = (await shard.metricsDump(0)).totals;
    const total = (name: string, labels: Record<string, string> = {}) =>
      counters.filter((a) => a.name === name && Object.entries(labels).every(([k, v]) => a.labels[k] === v)).reduce((n, a) => n + a.sum, 0);
    expect(total('beacon.agent_shard.heartbeats')).toBe(2);
    expect(total('beacon.timers.fired', { kind: 'report-sync' })).toBe(1);
    expect(total('beacon.timers.fired', { kind: 'ttl' })).toBe(1);
    expect(samples.find((a) => a.name === 'beacon.alarm.lag')?.max).toBeGreaterThanOrEqual(5 * 60_000);
  });
});
