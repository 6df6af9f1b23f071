import { env, runDurableObjectAlarm } from 'cloudflare:test';
import { describe, expect, inject, it } from 'vitest';
import type { CheckRunSpec, CheckSpec } from '../../worker/consul/check';
import type { HealthStatus } from '../../worker/consul/common';
import type { Datacenter } from '../datacenter';
import { inObject, service } from '../test-support';
import { shardOf } from './shard-of';
import { advanceShard, freshNamedDatacenter, inShard, restart, settled, shardAt, SHARDS, shardFor } from './test-support';

// HTTP and TCP checks run by their agent shard against a real server (test/lib/check-target/global-setup.ts).
const TARGET = inject('checkTarget');
const ID = 'service:web-1';
// Long enough that the real alarm (workerd runs it on its own) never comes before the test moves the clock;
// only a check's first run, staggered randomly within its Interval, may come early, so each test's first
// answer is set before the check is registered.
const INTERVAL = 60_000;
type Stub = DurableObjectStub<Datacenter>;

const httpCheck = (path: string, run: Partial<CheckRunSpec> = {}, status?: HealthStatus): CheckSpec => ({
  CheckID: ID, Name: 'http', Notes: '', ServiceID: 'web-1', Type: 'http', Status: status, Run: { HTTP: `http://${TARGET}${path}`, Interval: INTERVAL, Timeout: 5000, ...run },
});
const tcpCheck = (address: string, status?: HealthStatus): CheckSpec => ({
  CheckID: ID, Name: 'tcp', Notes: '', ServiceID: 'web-1', Type: 'tcp', Status: status, Run: { TCP: address, Interval: INTERVAL, Timeout: 5000 },
});

async function setup(check: CheckSpec) {
  const { name, dc } = freshNamedDatacenter();
  await dc.agentServiceRegister({ service: service('web-1', 'web'), checks: [check], replaceExistingChecks: false });
  await settled(dc);
  return { name, dc, shard: shardFor(name, ID) };
}

/** One run of every probe due: the shard's clock moves a whole Interval on and its alarm fires. */
const runOnce = (shard: ReturnType<typeof shardAt>) => advanceShard(shard, INTERVAL + 1);
const checkOf = async (dc: Stub) => (await dc.agentChecks()).find((c) => c.CheckID === ID);
const answer = (name: string, code: number) => fetch(`http://${TARGET}/switch/${name}?code=${code}`, { method: 'PUT' });

describe('HTTP and TCP checks on their agent shard', () => {
  it('run an HTTP check with its Method, Header and Body and write Consul\'s output', async () => {
    const { dc, shard } = await setup(httpCheck('/echo', { Method: 'POST', Header: { 'X-Probe': ['yes'] }, Body: 'ping' }));
    expect(await runOnce(shard)).toBe(true);
    expect(await checkOf(dc)).toMatchObject({ Status: 'passing', Output: `HTTP POST http://${TARGET}/echo: 200 OK Output: POST yes ping` });
  });

  it.each([
    [200, 'passing', 'OK'],
    [429, 'warning', 'Too Many Requests'],
    [503, 'critical', 'Service Unavailable'],
  ])('judge an HTTP %i as %s', async (code, status, text) => {
    const { dc, shard } = await setup(httpCheck(`/status/${code}`, {}, status === 'critical' ? 'passing' : undefined));
    await runOnce(shard);
    expect(await checkOf(dc)).toMatchObject({ Status: status, Output: `HTTP GET http://${TARGET}/status/${code}: ${code} ${text} Output: status ${code}` });
  });

  it.each<[string, (s: HealthStatus) => CheckSpec, HealthStatus, () => string]>([
    ['a TCP check against a listening port', (s: HealthStatus) => tcpCheck(TARGET, s), 'passing', () => `TCP connect ${TARGET}: Success`],
    ['a TCP check against a refused port', (s: HealthStatus) => tcpCheck('127.0.0.1:1', s), 'critical', () => 'dial tcp 127.0.0.1:1:'],
    ['an HTTP check against a refused port', (s: HealthStatus) => ({ ...httpCheck('/'), Status: s, Run: { HTTP: 'http://127.0.0.1:1/health', Interval: INTERVAL } }), 'critical', () => 'GET http://127.0.0.1:1/health:'],
  ])('run %s', async (_what, spec, status, output) => {
    // Starting from the other status, so the result is a status change the catalog hears at once.
    const { dc, shard } = await setup(spec(status === 'critical' ? 'passing' : 'critical'));
    await runOnce(shard);
    const check = await checkOf(dc);
    expect(check?.Status).toBe(status);
    expect(check?.Output.startsWith(output())).toBe(true);
  });

  // Consul's StatusHandler: the first result counts at once (the counters start at their thresholds), later
  // changes wait for enough consecutive results; a warning (429) counts as a success.
  it.each<[string, Partial<CheckRunSpec>, number[], HealthStatus[], HealthStatus?]>([
    ['no thresholds: every result counts', {}, [200, 503, 200], ['passing', 'critical', 'passing']],
    ['the first result counts at once, FailuresBeforeCritical 3 or not', { FailuresBeforeCritical: 3 }, [503, 200, 503], ['critical', 'passing', 'passing']],
    ['the first result counts at once, SuccessBeforePassing 3 or not', { SuccessBeforePassing: 3 }, [200, 503, 200], ['passing', 'critical', 'critical'], 'critical'],
    ['FailuresBeforeCritical 2', { FailuresBeforeCritical: 2 }, [200, 503, 503], ['passing', 'passing', 'critical']],
    ['a success between failures starts the count again', { FailuresBeforeCritical: 2 }, [200, 503, 200, 503, 503], ['passing', 'passing', 'passing', 'passing', 'critical']],
    ['FailuresBeforeWarning 1, FailuresBeforeCritical 3', { FailuresBeforeWarning: 1, FailuresBeforeCritical: 3 }, [200, 503, 503, 503], ['passing', 'warning', 'warning', 'critical']],
    ['SuccessBeforePassing 2', { SuccessBeforePassing: 2 }, [503, 200, 200], ['critical', 'critical', 'passing']],
    ['SuccessBeforePassing 2 counts a 429 as a success', { SuccessBeforePassing: 2 }, [503, 429, 429], ['critical', 'critical', 'warning']],
  ])('%s', async (_case, run, codes, statuses, initial = 'passing') => {
    const name = crypto.randomUUID();
    await answer(name, codes[0]);
    const { dc, shard } = await setup(httpCheck(`/switch/${name}`, run, initial));
    const seen: HealthStatus[] = [];
    for (const code of codes) {
      await answer(name, code);
      await runOnce(shard);
      seen.push((await checkOf(dc))!.Status);
    }
    expect(seen).toEqual(statuses);
  });

  it('write a status change to the catalog once, and nothing for an unchanged result', async () => {
    const name = crypto.randomUUID();
    await answer(name, 503);
    const { dc, shard } = await setup(httpCheck(`/status/503`, {}, 'critical'));
    await runOnce(shard);
    const before = await dc.getStats();
    await answer(name, 200);
    await dc.agentServiceRegister({ service: service('web-1', 'web'), checks: [httpCheck(`/switch/${name}`, {}, 'critical')], replaceExistingChecks: false });
    await settled(dc);
    const registered = await dc.getStats();
    await runOnce(shard);
    const changed = await dc.getStats();
    expect(changed.index).toBe(registered.index + 1);
    expect(changed.requests).toBe(registered.requests + 1);
    for (let i = 0; i < 3; i++) await runOnce(shard);
    expect(await dc.getStats()).toEqual(changed);
    expect(registered.index).toBeGreaterThan(before.index);
  });

  it('hold an output-only change until check_update_interval, then sync it', async () => {
    const hour = 3_600_000;
    const { dc, shard } = await setup(httpCheck(`/count/${crypto.randomUUID()}`, { Interval: hour }));
    await advanceShard(shard, hour + 1);
    expect((await checkOf(dc))?.Output).toMatch(/Output: run 1$/);
    const { index } = await dc.getStats();
    await advanceShard(shard, hour + 1);
    expect((await checkOf(dc))?.Output).toMatch(/Output: run 1$/);
    expect(await shard.pending()).toEqual([{ checkId: ID, status: 'passing', output: expect.stringMatching(/Output: run 2$/), kind: 'http' }]);
    expect((await dc.getStats()).index).toBe(index);
    await advanceShard(shard, 5 * 60_000 + 1);
    expect((await checkOf(dc))?.Output).toMatch(/Output: run 2$/);
    expect(await shard.pending()).toEqual([]);
  });

  it('answer a TTL heartbeat to an HTTP check with Consul\'s 500, changing nothing', async () => {
    const { shard } = await setup(httpCheck('/status/200'));
    expect(await shard.checkUpdate(ID, 'passing', '')).toEqual({ ok: false, status: 500, reason: `CheckID "${ID}" does not have associated TTL` });
  });

  it('leave the Datacenter with no probe to run', async () => {
    const { dc } = await setup(httpCheck('/status/200'));
    expect(await inObject(dc, (instance) => instance.timers.get(`run:${ID}`))).toBeUndefined();
  });

  it('reap a service whose HTTP check stayed critical past DeregisterCriticalServiceAfter (both alarms)', async () => {
    const { dc, shard } = await setup(httpCheck('/status/503', { DeregisterCriticalServiceAfter: 60_000 }, 'passing'));
    await runOnce(shard);
    expect((await checkOf(dc))?.Status).toBe('critical');
    await inObject(dc, (instance) => instance.clock.advance(60_001));
    await runDurableObjectAlarm(dc as unknown as DurableObjectStub);
    expect(await dc.agentServices()).toEqual([]);
    await settled(dc);
    expect((await shard.getStats()).checks).toEqual([]);
    expect(await inShard(shard, (instance) => instance.timers.get(`run:${ID}`))).toBeUndefined();
  });
});

describe('HTTP and TCP checks through registration and restarts', () => {
  it('keep their schedule when registered again unchanged, and run the new definition when changed', async () => {
    const { dc, shard } = await setup(httpCheck('/status/503'));
    const timer = () => inShard(shard, (instance) => instance.timers.get(`run:${ID}`));
    const first = await timer();
    await dc.agentServiceRegister({ service: service('web-1', 'web'), checks: [httpCheck('/status/503')], replaceExistingChecks: false });
    await settled(dc);
    expect(await timer()).toBe(first);
    await dc.agentServiceRegister({ service: service('web-1', 'web'), checks: [httpCheck('/status/200')], replaceExistingChecks: false });
    await settled(dc);
    await runOnce(shard);
    expect(await checkOf(dc)).toMatchObject({ Status: 'passing', Output: expect.stringContaining('/status/200: 200') });
  });

  it('stop running a check once it is deregistered', async () => {
    const { dc, shard } = await setup(httpCheck('/status/200'));
    expect((await dc.agentCheckDeregister(ID)).ok).toBe(true);
    expect((await shard.getStats()).checks).toEqual([]);
    expect(await inShard(shard, (instance) => instance.timers.get(`run:${ID}`))).toBeUndefined();
  });

  it('run again within their Interval, with fresh counters, after the shard restarts', async () => {
    const name = crypto.randomUUID();
    const { name: dcName, dc, shard: before } = await setup(httpCheck(`/switch/${name}`, { FailuresBeforeCritical: 3 }));
    await runOnce(before);
    await answer(name, 503);
    await restart(before);
    const shard = shardFor(dcName, ID);
    const restartedAt = Date.now();
    expect(await inShard(shard, (instance) => instance.timers.get(`run:${ID}`))).toBeLessThanOrEqual(restartedAt + INTERVAL);
    await runOnce(shard);
    // A restarted Consul agent's counters start at their thresholds too: the first failure counts.
    expect((await checkOf(dc))?.Status).toBe('critical');
  });

  it('keep running, counters and all, when the Datacenter restarts', async () => {
    const name = crypto.randomUUID();
    const { name: dcName, dc: before, shard } = await setup(httpCheck(`/switch/${name}`, { FailuresBeforeCritical: 2 }));
    await runOnce(shard);
    await restart(before);
    const dc = env.DATACENTER_OBJECT.getByName(dcName);
    await dc.getStats();
    await settled(dc);
    expect((await shard.getStats()).checks).toEqual([ID]);
    await answer(name, 503);
    await runOnce(shard);
    expect((await checkOf(dc))?.Status).toBe('passing');
    await runOnce(shard);
    expect((await checkOf(dc))?.Status).toBe('critical');
  });

  it('drop an HTTP check from a shard that no longer owns it (a changed AGENT_SHARDS) when it starts, before any run', async () => {
    const { name, dc, shard } = await setup(httpCheck('/status/503', {}, 'passing'));
    const otherAt = (shardOf(ID, SHARDS) + 1) % SHARDS;
    const run = httpCheck('/status/503').Run;
    await shardAt(name, otherAt).sync({ replace: false, own: [{ checkId: ID, owner: 'web', run, status: 'passing', output: '' }], drop: [] });
    await restart(shardAt(name, otherAt));
    const other = shardAt(name, otherAt);
    await runOnce(other);
    expect(await other.getStats()).toMatchObject({ checks: [], probes: 0 });
    expect((await checkOf(dc))?.Status).toBe('passing');
    expect((await shard.getStats()).checks).toEqual([ID]);
  });

  it('ignore a report about a check since redefined as another kind', async () => {
    const { name, dc } = await setup(httpCheck('/status/200', {}, 'passing'));
    const { index } = await dc.getStats();
    expect(await dc.agentShardReport(shardOf(ID, SHARDS), [{ checkId: ID, status: 'critical', output: 'stale heartbeat', kind: 'ttl' }])).toEqual({ dropped: [] });
    expect((await dc.getStats()).index).toBe(index);
    expect((await shardFor(name, ID).getStats()).checks).toEqual([ID]);
  });
});
