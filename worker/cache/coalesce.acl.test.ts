// Identical held blocking queries with ACLs on: watchers share a call into the object only with watchers
// of the same token identity, and each is answered only the rows its own token may read.
import { env } from 'cloudflare:test';
import { describe, expect, it, vi } from 'vitest';
import { inObject } from '../../durable-objects/test-support';
import { uniq } from '../test-support';
import { as, MANAGEMENT_TOKEN, ok, tokenWithRules } from '../acl/test-support';
import { coalescing } from './coalesce';

const WAIT = { timeout: 10_000, interval: 10 };
const parked = (row: string) => inObject(env.DATACENTER_OBJECT.getByName('dc1'), (instance) => instance.watches.parkedOn(row));

describe('held blocking queries with ACLs on', () => {
  it.each([
    ['catalog/service/<s>', (s: string) => `/v1/catalog/service/${s}`, (s: string) => `service.${s}`],
    ['health/checks/<s>', (s: string) => `/v1/health/checks/${s}`, () => 'checks'],
  ])('%s: one call per token identity; each token answered its own rows', async (_name, pathOf, rowOf) => {
    const [svc, n1, n2] = [uniq('acs'), uniq('n1'), uniq('n2')];
    const register = (node: string, port: number) => ok(as(MANAGEMENT_TOKEN, '/v1/catalog/register', {
      body: { Node: node, Address: '10.0.0.1', Service: { ID: `${svc}-${node}`, Service: svc, Port: port }, Check: { CheckID: `${svc}-${node}`, Name: 'c', ServiceID: `${svc}-${node}`, Status: 'passing' } },
    }));
    for (const node of [n1, n2]) await register(node, 80);
    const narrow = await tokenWithRules(`service_prefix "${svc}" { policy = "read" }\nnode "${n1}" { policy = "read" }`);
    const wide = await tokenWithRules(`service_prefix "" { policy = "read" }\nnode_prefix "" { policy = "read" }`);
    const path = pathOf(svc);
    const first = await as(MANAGEMENT_TOKEN, path);
    const index = Number(first.headers.get('X-Consul-Index'));
    await first.arrayBuffer();

    const baseline = await parked(rowOf(svc));
    const before = { ...coalescing };
    const tokens = [narrow.secret, wide.secret, narrow.secret, wide.secret, narrow.secret, wide.secret];
    const pending = tokens.map((token, i) => as(token, `${path}?index=${index}&wait=${30 + i}s`));
    await vi.waitFor(() => expect(coalescing.calls - before.calls + coalescing.joined - before.joined).toBe(tokens.length), WAIT);
    expect(coalescing.calls - before.calls).toBe(2);
    await vi.waitFor(async () => expect((await parked(rowOf(svc))) - baseline).toBe(2), WAIT);

    await register(n2, 81);
    const replies = await Promise.all(pending);
    for (const [i, res] of replies.entries()) {
      expect(res.status).toBe(200);
      expect(Number(res.headers.get('X-Consul-Index'))).toBeGreaterThan(index);
      const nodes = ((await res.json()) as { Node: string }[]).map((e) => e.Node).sort();
      expect(nodes).toEqual(tokens[i] === narrow.secret ? [n1] : [n1, n2].sort());
      expect(res.headers.get('X-Consul-Results-Filtered-By-ACLs')).toBe(tokens[i] === narrow.secret ? 'true' : null);
    }
  });
});
