// Every blocking read clients hold (and Consul's agent caches): identical watchers in one isolate share
// one call parked in the object, however their parameters are ordered or which selection each asks for,
// and each is answered what a read of its own path answers after the change. Counted in the object
// (Watches.parkedOn) and in the worker (coalescing). Reads of whole tables run in dc2, where no other
// test parks, so the object's count on `nodes`, `services` or `checks` is this test's alone.
import { env } from 'cloudflare:test';
import { describe, expect, it, vi } from 'vitest';
import { inObject } from '../../durable-objects/test-support';
import { api, put, registerService, uniq } from '../test-support';
import { coalescing } from './coalesce';

const WATCHERS = 8;
const WAIT = { timeout: 10_000, interval: 10 };

interface Watched {
  dc: string;
  /** The object's index row the read parks on. */
  row: string;
  /** Each watcher's path without index and wait: the same read written in different ways. */
  variants: string[];
  /** A write that changes what every variant reads. */
  change: () => Promise<unknown>;
}

const inDc = (path: string, dc: string) => (dc === 'dc1' ? path : `${path}${path.includes('?') ? '&' : '?'}dc=${dc}`);
const registerNode = (dc: string, status = 'passing') => {
  const node = uniq('n');
  return put(`/v1/catalog/register?dc=${dc}`, {
    Node: node, Address: '10.9.0.1', NodeMeta: { rack: 'r1' },
    Service: { ID: `${node}-svc`, Service: uniq('tbl'), Tags: ['a'] }, Check: { CheckID: `${node}-chk`, Name: 'c', Status: status, ServiceID: `${node}-svc` },
  });
};

async function service(): Promise<string> {
  const name = uniq('coal');
  await registerService({ ID: `${name}-1`, Name: name, Tags: ['a', 'b'], Meta: { v: '1' }, Check: { TTL: '1h', Status: 'passing' } });
  return name;
}

const filter = (expr: string) => `filter=${encodeURIComponent(expr)}`;

const CASES: [string, () => Promise<Watched>][] = [
  // The plain answer is text kept per index (watchers share the index call); a selection reads the instances.
  ['catalog/services', async () => ({
    dc: 'dc2', row: 'services',
    variants: ['/v1/catalog/services', '/v1/catalog/services?pretty'],
    change: () => registerNode('dc2'),
  })],
  ['catalog/services (node-meta, filter)', async () => ({
    dc: 'dc2', row: 'services',
    variants: ['/v1/catalog/services?node-meta=rack:r1', `/v1/catalog/services?${filter('ServiceTags contains "a"')}`],
    change: () => registerNode('dc2'),
  })],
  ['catalog/nodes', async () => ({
    dc: 'dc2', row: 'nodes',
    variants: ['/v1/catalog/nodes', '/v1/catalog/nodes?node-meta=rack:r1', '/v1/catalog/nodes?near=_agent&stale'],
    change: () => registerNode('dc2'),
  })],
  ['catalog/service/<s>', async () => {
    const name = await service();
    return {
      dc: 'dc1', row: `service.${name}`,
      variants: [`/v1/catalog/service/${name}?tag=a&tag=b`, `/v1/catalog/service/${name}?tag=b&tag=a`, `/v1/catalog/service/${name}?${filter('ServiceMeta.v == "1"')}`],
      change: () => registerService({ ID: `${name}-2`, Name: name, Tags: ['a', 'b'], Meta: { v: '1' } }),
    };
  }],
  ['health/service/<s> (tag, passing, filter, node-meta, near)', async () => {
    const name = await service();
    return {
      dc: 'dc1', row: `service.${name}`,
      variants: [
        `/v1/health/service/${name}`, `/v1/health/service/${name}?passing&tag=a`, `/v1/health/service/${name}?tag=a&passing`,
        `/v1/health/service/${name}?${filter('Service.Meta.v == "1"')}`, `/v1/health/service/${name}?node-meta=none:x`, `/v1/health/service/${name}?near=_agent`,
      ],
      change: () => put(`/v1/agent/check/fail/service:${name}-1`),
    };
  }],
  ['health/checks/<s>', async () => {
    const name = uniq('hc');
    const node = uniq('n');
    await put('/v1/catalog/register?dc=dc2', { Node: node, Address: '10.9.0.2', Service: { ID: name, Service: name }, Check: { CheckID: `${name}-c`, Name: 'c', Status: 'passing', ServiceID: name } });
    return {
      dc: 'dc2', row: 'checks',
      variants: [`/v1/health/checks/${name}`, `/v1/health/checks/${name}?${filter('Status == "critical"')}`, `/v1/health/checks/${name}?near=_agent`],
      change: () => put('/v1/catalog/register?dc=dc2', { Node: node, Address: '10.9.0.2', Check: { CheckID: `${name}-c`, Name: 'c', Status: 'critical', ServiceID: name } }),
    };
  }],
  ['health/state/<state>', async () => ({
    dc: 'dc2', row: 'checks',
    variants: ['/v1/health/state/critical', `/v1/health/state/critical?${filter('Name == "c"')}`, '/v1/health/state/critical?node-meta=rack:r1'],
    change: () => registerNode('dc2', 'critical'),
  })],
  ['kv/<key>', async () => {
    const key = uniq('coal/k');
    await put(`/v1/kv/${key}`, 'one');
    return { dc: 'dc1', row: `kv:${key}`, variants: [`/v1/kv/${key}`, `/v1/kv/${key}?raw`, `/v1/kv/${key}?stale`], change: () => put(`/v1/kv/${key}`, 'two') };
  }],
  ['kv/<prefix>?recurse', async () => {
    const prefix = `${uniq('coal')}/`;
    await put(`/v1/kv/${prefix}a`, 'one');
    return { dc: 'dc1', row: `kvprefix:${prefix}`, variants: [`/v1/kv/${prefix}?recurse`, `/v1/kv/${prefix}?stale&recurse`], change: () => put(`/v1/kv/${prefix}b`, 'two') };
  }],
  ['kv/<prefix>?keys', async () => {
    const prefix = `${uniq('coal')}/`;
    await put(`/v1/kv/${prefix}a/x`, 'one');
    return { dc: 'dc1', row: `kvprefix:${prefix}`, variants: [`/v1/kv/${prefix}?keys&separator=/`, `/v1/kv/${prefix}?separator=/&keys`], change: () => put(`/v1/kv/${prefix}b/y`, 'two') };
  }],
];

const parked = (dc: string, row: string) => inObject(env.DATACENTER_OBJECT.getByName(dc), (instance) => instance.watches.parkedOn(row));
const withWait = (path: string, index: number, i: number) => {
  const [base, query] = path.split('?');
  // index and wait at either end of the query: their place must not matter either.
  const blocking = `index=${index}&wait=${30 + i}s`;
  return `${base}?${!query ? blocking : i % 2 ? `${blocking}&${query}` : `${query}&${blocking}`}`;
};
const answer = async (res: Response) => ({ status: res.status, index: Number(res.headers.get('X-Consul-Index')), body: await res.text() });

describe('identical held blocking queries, endpoint by endpoint', () => {
  it.each(CASES)('%s: one call parked in the object; every watcher answered its own read', async (_name, make) => {
    const watched = await make();
    const paths = Array.from({ length: WATCHERS }, (_, i) => inDc(watched.variants[i % watched.variants.length], watched.dc));
    const index = (await answer(await api(paths[0]))).index;
    const baseline = await parked(watched.dc, watched.row);
    const before = { ...coalescing };

    const pending = paths.map((path, i) => api(withWait(path, index, i)));
    await vi.waitFor(() => expect(coalescing.calls - before.calls + coalescing.joined - before.joined).toBe(WATCHERS), WAIT);
    expect(coalescing.calls - before.calls).toBe(1);
    await vi.waitFor(async () => expect((await parked(watched.dc, watched.row)) - baseline).toBe(1), WAIT);

    await watched.change();
    const replies = await Promise.all((await Promise.all(pending)).map(answer));
    for (const [i, reply] of replies.entries()) {
      expect(reply.index, paths[i]).toBeGreaterThan(index);
      // What a read of the same path answers now (nothing has changed since the watchers woke).
      const own = await answer(await api(paths[i]));
      expect([reply.status, reply.body], paths[i]).toEqual([own.status, own.body]);
    }
    expect(new Set(replies.map((r) => r.index)).size).toBe(1);
  });
});

describe('what is not merged', () => {
  it('a prepared query\'s execute never blocks (Consul\'s PreparedQuery.Execute is not a blocking RPC): ?index answers at once', async () => {
    const name = await service();
    const created = await api('/v1/query', { method: 'POST', body: JSON.stringify({ Name: name, Service: { Service: name } }) });
    const { ID } = (await created.json()) as { ID: string };
    const before = { ...coalescing };
    const res = await api(`/v1/query/${ID}/execute?index=999999&wait=30s`);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { Nodes: unknown[] }).Nodes).toHaveLength(1);
    expect(coalescing.calls - before.calls + coalescing.joined - before.joined).toBe(0);
  });

  it('reads of different keys, or in different datacenters, each hold their own call', async () => {
    const [a, b] = [uniq('coal/a'), uniq('coal/b')];
    for (const key of [a, b]) for (const dc of ['dc1', 'dc2']) await put(inDc(`/v1/kv/${key}`, dc), 'x');
    const reads = [a, b].flatMap((key) => ['dc1', 'dc2'].map((dc) => inDc(`/v1/kv/${key}`, dc)));
    const indexes = await Promise.all(reads.map(async (path) => (await answer(await api(path))).index));
    const before = { ...coalescing };
    const pending = reads.map((path, i) => api(withWait(path, indexes[i], i)));
    await vi.waitFor(() => expect(coalescing.calls - before.calls).toBe(reads.length), WAIT);
    for (const key of [a, b]) for (const dc of ['dc1', 'dc2']) await put(inDc(`/v1/kv/${key}`, dc), 'y');
    for (const res of await Promise.all(pending)) expect((await res.json()) as unknown[]).toHaveLength(1);
  });
});
