// The statements behind the reads and writes that must cost the same however many instances the catalog
// holds (scripts/bench/scale.ts) are recorded as the real code runs them, then checked with EXPLAIN QUERY
// PLAN: every table is reached through an index (SEARCH), none read whole (SCAN) or by node alone.
import { beforeAll, describe, expect, it } from 'vitest';
import { freshDatacenter, inObject, service, ttlCheck } from '../test-support';
import { registerService } from '../agent/writes';
import type { Datacenter } from '../datacenter';
import { catalogServiceNodes, healthServiceNodes } from './reads';
import { setCheckStatus } from './checks';

type Statement = { query: string; bindings: unknown[] };

/** `sql`, recording every statement run through it. */
function recording(sql: SqlStorage, seen: Statement[]): SqlStorage {
  return new Proxy(sql, {
    get(target, prop) {
      if (prop === 'exec') return (query: string, ...bindings: unknown[]) => (seen.push({ query, bindings }), target.exec(query, ...bindings));
      const value = Reflect.get(target, prop);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

const plan = (sql: SqlStorage, { query, bindings }: Statement) =>
  sql.exec<{ detail: string }>(`EXPLAIN QUERY PLAN ${query}`, ...bindings).toArray().map((r) => r.detail);

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
    run: (dc, sql) => {
      const tags = dc.serviceTags as unknown as { host: { sql: SqlStorage }; refresh(name: string): void; services(): unknown };
      tags.services();
      const real = tags.host.sql;
      tags.host.sql = sql;
      try {
        tags.refresh('probe');
      } finally {
        tags.host.sql = real;
      }
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
      const seen: Statement[] = [];
      run(instance, recording(state.storage.sql, seen), node);
      return seen.map((s) => ({ query: s.query.replace(/\s+/g, ' ').trim(), plan: plan(state.storage.sql, s) }));
    });
    expect(plans.length).toBeGreaterThan(0);
    // Services or checks by node alone is a scan too: every agent instance is on the agent's one node.
    const scans = plans.filter((p) => p.plan.some((line) => /^SCAN /.test(line) || (/\(node=\?\)$/.test(line) && !line.startsWith('SEARCH nodes '))));
    expect(scans).toEqual([]);
  });
});
