// The statements behind the reads and writes that must cost the same however many instances the catalog
// holds (scripts/bench/scale.ts) are recorded as the real code runs them, then checked with EXPLAIN QUERY
// PLAN: every table is reached through an index (SEARCH), none read whole (SCAN) or by node alone.
import { beforeAll, describe, expect, it } from 'vitest';
import { freshDatacenter, inObject, service, ttlCheck } from '../test-support';
import { registerService } from '../agent/writes';
import type { Datacenter } from '../datacenter';
import { plannedStatements } from '../query-plans';
import { catalogServiceNodes, healthServiceNodes } from './reads';
import { setCheckStatus } from './checks';

type Run = (dc: Datacenter, sql: SqlStorage, node: string) => unknown;

const CASES: { name: string; run: Run }[] = [
  { name: 'GET /v1/health/service/<name>', run: (dc, sql) => healthServiceNodes({ sql, indexes: dc.indexes, datacenter: 'dc1' }, 'probe').read() },
  { name: 'GET /v1/catalog/service/<name>', run: (dc, sql) => catalogServiceNodes({ sql, indexes: dc.indexes, datacenter: 'dc1' }, 'probe').read() },
  {
    name: 'an agent registration, changed (service, its check, index rows)',
    run: (dc, sql, node) => dc.writer.write((tx) => registerService({ ...tx, sql }, node, { service: service('probe-1', 'probe', { Meta: { seq: 'x' } }), checks: [ttlCheck('probe-1', 60_000)], replaceExistingChecks: false })),
  },
  { name: 'a TTL check changing status', run: (dc, sql, node) => dc.writer.write((tx) => setCheckStatus({ ...tx, sql }, node, 'service:inst-7', 'warning', 'slow')) },
  {
    name: 'the catalog/services aggregate refreshing one service',
    run: (dc) => {
      const tags = dc.serviceTags as unknown as { refresh(name: string): void };
      tags.refresh('probe');
    },
  },
];

describe('query plans of the reads and writes that must not grow with the catalog', () => {
  const dc = freshDatacenter();
  beforeAll(async () => {
    const register = (id: string, name: string) => dc.agentServiceRegister({ service: service(id, name), checks: [ttlCheck(id, 3_600_000)], replaceExistingChecks: false });
    await Promise.all([...Array(60).keys()].map((i) => register(`inst-${i}`, `svc-${i % 20}`)));
    await Promise.all([...Array(5).keys()].map((i) => register(`probe-${i}`, 'probe')));
  });

  it.each(CASES)('$name: every table through an index', async ({ run }) => {
    const node = (await dc.agentInfo()).node.Node;
    const plans = await inObject(dc, (instance, state) => {
      // A first read builds the catalog/services aggregate, so its case measures one refresh, not the build.
      (instance.serviceTags as unknown as { services(): unknown }).services();
      return plannedStatements(state.storage.sql, () => run(instance, state.storage.sql, node));
    });
    expect(plans.length).toBeGreaterThan(0);
    // A VALUES list (the index rows' upsert) is no table. Services or checks by node alone is a scan too: every agent instance is on the agent's one node.
    const scans = plans.filter((p) => p.plan.some((line) => /^SCAN (?!\d+-ROW VALUES CLAUSE|CONSTANT ROW)/.test(line) || (/\(node=\?\)$/.test(line) && !line.startsWith('SEARCH nodes '))));
    expect(scans).toEqual([]);
  });
});
