// The held-watch fast paths (worker/health-fast-path.ts, kv-watch-fast-path.ts) against the full app, shape by
// shape: a watch parked on each answers as the same watch through the router does (`&dc=dc1` takes the
// full app) — status, headers, body, index — whether a write wakes it or its wait runs out, and identical
// watches hold one call in the object between them.
import { env } from 'cloudflare:test';
import { describe, expect, it, vi } from 'vitest';
import { inObject } from '../../durable-objects/test-support';
import { api, put, registerService, uniq } from '../test-support';
import { coalescing } from './coalesce';

interface Shape {
  name: string;
  /** Creates what is watched; returns the watched path (no query) and the row its calls park on. */
  seed: (id: string) => Promise<{ path: string; query?: string; row: string }>;
  /** The write that wakes it. */
  change: (id: string) => Promise<unknown>;
}

const ok = async (res: Promise<Response>) => expect((await res).status).toBe(200);

const SHAPES: Shape[] = [
  {
    name: 'health/service',
    seed: async (id) => {
      await registerService({ ID: `${id}-1`, Name: id, Check: { TTL: '1h', Status: 'passing' } });
      return { path: `/v1/health/service/${id}`, row: `service.${id}` };
    },
    change: (id) => ok(put(`/v1/agent/check/fail/service:${id}-1`)),
  },
  {
    name: 'kv key',
    seed: async (id) => (await ok(put(`/v1/kv/${id}/k?flags=18446744073709551615`, 'v1')), { path: `/v1/kv/${id}/k`, row: `kv:${id}/k` }),
    change: (id) => ok(put(`/v1/kv/${id}/k`, 'v2')),
  },
  {
    name: 'kv key that does not exist yet (404, then created)',
    seed: async (id) => ({ path: `/v1/kv/${id}/later`, row: `kv:${id}/later` }),
    change: (id) => ok(put(`/v1/kv/${id}/later`, 'here')),
  },
  {
    name: 'kv key deleted while watched (200, then 404)',
    seed: async (id) => (await ok(put(`/v1/kv/${id}/doomed`, 'x')), { path: `/v1/kv/${id}/doomed`, row: `kv:${id}/doomed` }),
    change: (id) => ok(api(`/v1/kv/${id}/doomed`, { method: 'DELETE' })),
  },
  {
    name: 'kv prefix (?recurse)',
    seed: async (id) => (await ok(put(`/v1/kv/${id}/p/a`, 'a')), { path: `/v1/kv/${id}/p/`, query: 'recurse', row: `kvprefix:${id}/p/` }),
    change: (id) => ok(put(`/v1/kv/${id}/p/b`, 'b')),
  },
];

const dc = () => env.DATACENTER_OBJECT.getByName('dc1');
const parked = (row: string) => inObject(dc(), (instance) => instance.watches.parkedOn(row));
const seen = () => coalescing.calls + coalescing.joined;
/** Everything a client can see of an answer. */
const answer = async (res: Response) => ({ status: res.status, headers: [...res.headers].sort(), body: await res.text() });

async function watched(shape: Shape) {
  const id = uniq('held');
  const { path, query, row } = await shape.seed(id);
  const first = await api(`${path}${query ? `?${query}` : ''}`);
  await first.arrayBuffer();
  const index = Number(first.headers.get('X-Consul-Index'));
  expect(index).toBeGreaterThan(0);
  const watch = (extra: string) => api(`${path}?${query ? `${query}&` : ''}index=${index}&${extra}`);
  return { id, index, row, watch };
}

describe.each(SHAPES)('a held $name watch answered before the router', (shape) => {
  it('answers a write that wakes it exactly as the full app does, both parked on one call', async () => {
    const { id, index, row, watch } = await watched(shape);
    const before = seen();
    const fast = watch('wait=30s');
    const full = watch('wait=30s&dc=dc1');
    // Both are parked: the fast path's watcher on the isolate's call, the full app's on it too (health) or on
    // a call of its own (a route that does not coalesce).
    await vi.waitFor(async () => expect(seen() - before + (await parked(row)) - 1).toBe(2), { timeout: 10_000, interval: 10 });
    await shape.change(id);
    const [a, b] = await Promise.all([fast, full]);
    expect(Number(a.headers.get('X-Consul-Index'))).toBeGreaterThan(index);
    expect(await answer(a)).toEqual(await answer(b));
  });

  it('answers unchanged when its wait runs out, as the full app does (never a hang: the test times out)', async () => {
    const { index, watch } = await watched(shape);
    const [a, b] = await Promise.all([watch('wait=100ms'), watch('wait=100ms&dc=dc1')]);
    expect(Number(a.headers.get('X-Consul-Index'))).toBe(index);
    expect(await answer(a)).toEqual(await answer(b));
  });

  it('holds one call in the object for 20 identical watchers, and answers each the woken bytes', async () => {
    const { id, index, row, watch } = await watched(shape);
    const before = { ...coalescing };
    const watches = Array.from({ length: 20 }, (_, i) => watch(`wait=${30 + i}s`));
    await vi.waitFor(() => expect(seen() - before.calls - before.joined).toBe(20), { timeout: 10_000, interval: 10 });
    expect(coalescing.calls - before.calls).toBe(1);
    expect(await parked(row)).toBe(1);
    await shape.change(id);
    const answers = await Promise.all((await Promise.all(watches)).map(answer));
    expect(new Set(answers.map((a) => JSON.stringify(a))).size).toBe(1);
    expect(Number(new Map(answers[0].headers).get('x-consul-index'))).toBeGreaterThan(index);
  });
});

describe('held KV watches the fast path leaves to the full app', () => {
  it.each([
    ['no key without ?recurse', '/v1/kv/?index=1', 400],
    ['a bad wait', '/v1/kv/x?index=1&wait=10x', 400],
    ['a bad index', '/v1/kv/x?index=abc', 400],
  ])('%s gets its 400', async (_title, path, status) => {
    const res = await api(path);
    expect(res.status).toBe(status);
    await res.arrayBuffer();
  });
});
