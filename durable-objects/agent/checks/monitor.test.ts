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

// HTTP and TCP runs and their counters live on the agent shards too: durable-objects/shards/probes.test.ts.
describe('active checks', () => {
  it('are not run by the Datacenter when agent shards hold them', async () => {
    const dc = freshDatacenter();
    const probe: CheckSpec = { CheckID: 'probe', Name: 'probe', Notes: '', ServiceID: 'web-1', Type: 'tcp', Status: 'passing', Run: { TCP: '127.0.0.1:1', Interval: 1000 } };
    await register(dc, 'web-1', [probe]);
    await advance(dc, 1001);
    await runDurableObjectAlarm(dc);
    expect(await inObject(dc, (instance) => instance.timers.get('run:probe'))).toBeUndefined();
    expect((await checkOf(dc, 'probe'))?.Status).toBe('passing');
  });
});
