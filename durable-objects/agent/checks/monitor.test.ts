import { abortAllDurableObjects, env, runDurableObjectAlarm } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { CheckSpec } from '../../../worker/consul/check';
import { freshDatacenter, inObject, service, ttlCheck } from '../../test-support';

type Stub = ReturnType<typeof freshDatacenter>;

async function register(dc: Stub, id: string, checks: CheckSpec[]) {
  await dc.agentServiceRegister({ service: service(id, 'web'), checks, replaceExistingChecks: false });
}

const advance = (dc: Stub, ms: number) => inObject(dc, (instance) => instance.clock.advance(ms));
const checkOf = async (dc: Stub, checkId: string) => (await dc.agentChecks()).find((c) => c.CheckID === checkId);

describe('TTL checks', () => {
  it('turn critical with "TTL expired" once the TTL passes without a heartbeat', async () => {
    const dc = freshDatacenter();
    await register(dc, 'web-1', [{ ...ttlCheck('web-1', 10_000), Status: 'passing' }]);
    await advance(dc, 10_001);
    expect(await runDurableObjectAlarm(dc)).toBe(true);
    const check = await checkOf(dc, 'service:web-1');
    expect(check).toMatchObject({ Status: 'critical', Output: 'TTL expired' });
  });

  it('keep the last output in the expiry message', async () => {
    const dc = freshDatacenter();
    await register(dc, 'web-1', [ttlCheck('web-1', 10_000)]);
    await dc.agentCheckUpdate('service:web-1', 'passing', 'all good');
    await advance(dc, 10_001);
    await runDurableObjectAlarm(dc);
    expect((await checkOf(dc, 'service:web-1'))?.Output).toBe('TTL expired (last output before timeout follows): all good');
  });

  it('stay passing while heartbeats arrive within the TTL', async () => {
    const dc = freshDatacenter();
    await register(dc, 'web-1', [ttlCheck('web-1', 10_000)]);
    await dc.agentCheckUpdate('service:web-1', 'passing', '');
    await advance(dc, 8_000);
    await dc.agentCheckUpdate('service:web-1', 'passing', '');
    await advance(dc, 8_000);
    await runDurableObjectAlarm(dc);
    expect((await checkOf(dc, 'service:web-1'))?.Status).toBe('passing');
  });

  it('cost no storage write for a heartbeat that changes nothing', async () => {
    const dc = freshDatacenter();
    await register(dc, 'web-1', [ttlCheck('web-1', 10_000)]);
    await dc.agentCheckUpdate('service:web-1', 'passing', 'ok');
    const before = await dc.getStats();
    for (let i = 0; i < 5; i++) await dc.agentCheckUpdate('service:web-1', 'passing', 'ok');
    const after = await dc.getStats();
    expect(after).toEqual(before);
  });

  it('turn passing again on the first heartbeat after they expired', async () => {
    const dc = freshDatacenter();
    await register(dc, 'web-1', [ttlCheck('web-1', 10_000)]);
    await dc.agentCheckUpdate('service:web-1', 'passing', 'ok');
    await advance(dc, 10_001);
    await runDurableObjectAlarm(dc);
    expect((await checkOf(dc, 'service:web-1'))?.Status).toBe('critical');
    await dc.agentCheckUpdate('service:web-1', 'passing', 'ok');
    expect(await checkOf(dc, 'service:web-1')).toMatchObject({ Status: 'passing', Output: 'ok' });
  });

  it('get a fresh full TTL after the object restarts instead of flapping critical', async () => {
    const name = `t-${crypto.randomUUID()}`;
    const before = env.DATACENTER_OBJECT.getByName(name);
    await register(before, 'web-1', [ttlCheck('web-1', 60_000)]);
    await before.agentCheckUpdate('service:web-1', 'passing', '');
    await abortAllDurableObjects();
    const restartedAt = Date.now();
    const dc = env.DATACENTER_OBJECT.getByName(name);
    const deadline = await inObject(dc, (instance) => instance.timers.get('ttl:service:web-1'));
    expect(deadline).toBeGreaterThanOrEqual(restartedAt + 60_000 - 50);
    await runDurableObjectAlarm(dc);
    expect((await checkOf(dc, 'service:web-1'))?.Status).toBe('passing');
  });
});

describe('DeregisterCriticalServiceAfter', () => {
  it('removes a service whose check stayed critical that long (at least a minute)', async () => {
    const dc = freshDatacenter();
    await register(dc, 'web-1', [ttlCheck('web-1', 10_000, { DeregisterCriticalServiceAfter: 30_000 })]);
    await advance(dc, 10_001);
    await runDurableObjectAlarm(dc);
    expect((await checkOf(dc, 'service:web-1'))?.Status).toBe('critical');
    await advance(dc, 30_000);
    await runDurableObjectAlarm(dc);
    expect((await dc.agentServices()).map((s) => s.ID)).toEqual(['web-1']);
    await advance(dc, 30_001);
    await runDurableObjectAlarm(dc);
    expect(await dc.agentServices()).toEqual([]);
    expect(await checkOf(dc, 'service:web-1')).toBeUndefined();
  });

  it('spares a service whose check recovered in time', async () => {
    const dc = freshDatacenter();
    await register(dc, 'web-1', [ttlCheck('web-1', 10_000, { DeregisterCriticalServiceAfter: 60_000 })]);
    await advance(dc, 50_000);
    await dc.agentCheckUpdate('service:web-1', 'passing', '');
    await advance(dc, 20_000);
    await runDurableObjectAlarm(dc);
    expect((await dc.agentServices()).map((s) => s.ID)).toEqual(['web-1']);
  });
});

describe('active checks', () => {
  const refused = (extra: Partial<CheckSpec['Run']>, type: 'http' | 'tcp'): CheckSpec => ({
    CheckID: 'probe', Name: 'probe', Notes: '', ServiceID: 'web-1', Type: type, Status: 'passing',
    Run: { Interval: 1000, Timeout: 2000, ...extra },
  });

  it.each([
    ['HTTP', refused({ HTTP: 'http://127.0.0.1:1/health', Method: 'GET' }, 'http')],
    ['TCP', refused({ TCP: '127.0.0.1:1' }, 'tcp')],
  ])('turn an unreachable %s target critical when they run', async (_kind, spec) => {
    const dc = freshDatacenter();
    await register(dc, 'web-1', [spec]);
    await advance(dc, 1001);
    await runDurableObjectAlarm(dc);
    const check = await checkOf(dc, 'probe');
    expect(check?.Status).toBe('critical');
    expect(check?.Output).toContain('127.0.0.1:1');
  });

  it('wait for FailuresBeforeCritical consecutive failures', async () => {
    const dc = freshDatacenter();
    await register(dc, 'web-1', [refused({ TCP: '127.0.0.1:1', FailuresBeforeCritical: 2 }, 'tcp')]);
    await advance(dc, 1001);
    await runDurableObjectAlarm(dc);
    expect((await checkOf(dc, 'probe'))?.Status).toBe('passing');
    await advance(dc, 1001);
    await runDurableObjectAlarm(dc);
    expect((await checkOf(dc, 'probe'))?.Status).toBe('critical');
  });
});
