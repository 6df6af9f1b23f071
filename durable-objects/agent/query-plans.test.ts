// Every agent instance is on the agent's one node, so an agent read or write that reaches services or
// checks by node alone costs as much as the whole agent. The statements each operation runs are recorded
// inside the object, then checked with EXPLAIN QUERY PLAN: services and checks by key or index, never
// read whole (SCAN) nor searched on the node column alone.
import { beforeAll, describe, expect, it } from 'vitest';
import { freshDatacenter, inObject, service, ttlCheck } from '../test-support';
import type { Datacenter } from '../datacenter';
import { plannedStatements } from '../query-plans';

/** A whole-table read, or services/checks by node alone (`… USING INDEX x (node=?)`, PRIMARY KEY prefix included). */
const costsTheWholeAgent = (line: string) => /^SCAN (?!\d+-ROW VALUES CLAUSE|CONSTANT ROW)/.test(line) || /^SEARCH (services|checks|c|s|i|own)\b.*\(node=\?\)$/.test(line);

const reapable = { ...ttlCheck('reap-1', 3_600_000, { DeregisterCriticalServiceAfter: 60_000 }), Status: 'critical' as const };

const CASES: { name: string; run: (dc: Datacenter) => unknown; done?: (dc: Datacenter) => unknown }[] = [
  { name: '/v1/agent/self, /members: the agent node', run: (dc) => dc.agentInfo() },
  { name: 'GET /v1/agent/service/:id', run: (dc) => dc.agentService('probe-1', '', 0) },
  { name: 'GET /v1/agent/health/service/id/:id', run: (dc) => dc.agentServiceHealth({ id: 'probe-1' }) },
  { name: 'ACL: the service an agent service write names', run: (dc) => dc.agentServiceName('probe-1') },
  { name: 'ACL: the owner of an agent check', run: (dc) => dc.agentCheckOwner('service:probe-2') },
  {
    name: '/v1/txn: one check read',
    run: async (dc) => expect(await dc.txnApply([{ Check: { Verb: 'get', Node: dc.agentInfo().node.Node, CheckID: 'SERVICE:probe-1', Index: 0 } }])).toMatchObject({ ok: true, value: [{ Check: { CheckID: 'service:probe-1', ServiceName: 'probe' } }] }),
  },
  {
    name: 'agent registration with ?replace-existing-checks',
    run: (dc) => dc.agentServiceRegister({ service: service('probe-3', 'probe', { Meta: { v: '2' } }), checks: [], replaceExistingChecks: true }),
    done: async (dc) => expect((await dc.agentChecks()).some((c) => c.ServiceID === 'probe-3')).toBe(false),
  },
  { name: 'agent service deregistration', run: (dc) => dc.agentServiceDeregister('probe-4'), done: async (dc) => expect(await dc.agentServiceName('probe-4')).toBeNull() },
  {
    name: 'the DeregisterCriticalServiceAfter reap',
    run: (dc) => dc.agent.monitor.fire(`reap:${reapable.CheckID}`),
    done: async (dc) => expect(await dc.agentServiceName('reap-1')).toBeNull(),
  },
];

describe('query plans of the agent reads and writes that must not grow with its instances', () => {
  const stub = freshDatacenter();
  beforeAll(async () => {
    const register = (id: string, name: string) => stub.agentServiceRegister({ service: service(id, name), checks: [ttlCheck(id, 3_600_000)], replaceExistingChecks: false });
    await Promise.all([...Array(40).keys()].map((i) => register(`inst-${i}`, `svc-${i % 10}`)));
    await Promise.all([...Array(5).keys()].map((i) => register(`probe-${i}`, 'probe')));
    await stub.agentServiceRegister({ service: service('reap-1', 'reap'), checks: [reapable], replaceExistingChecks: false });
    await inObject(stub, (instance) => instance.clock.advance(60_001));
  });

  it.each(CASES)('$name: services and checks by key or index', async ({ run, done }) => {
    const plans = await inObject(stub, (instance, state) => plannedStatements(state.storage.sql, () => run(instance)));
    expect(plans.length).toBeGreaterThan(0);
    expect(plans.filter((p) => p.plan.some(costsTheWholeAgent))).toEqual([]);
    await inObject(stub, (instance) => done?.(instance));
  });
});
