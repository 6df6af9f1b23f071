import { runDurableObjectAlarm } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { CheckSpec } from '../../../worker/consul/check';
import { freshDatacenter, inObject, service, ttlCheck } from '../../test-support';

type Stub = ReturnType<typeof freshDatacenter>;

async function register(dc: Stub, id: string, checks: CheckSpec[]) {
  await dc.agentServiceRegister({ service: service(id, 'web'), checks, replaceExistingChecks: false });
}

const advance = (dc: Stub, ms: number) => inObject(dc, (instance) => instance.clock.advance(ms));
const checkOf = async (dc: Stub, checkId: string) => (await dc.agentChecks()).find((c) => c.CheckID === checkId);

// TTL expiry, heartbeats and restarts live on the agent shards now: durable-objects/shards/agent-shard.test.ts.

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
