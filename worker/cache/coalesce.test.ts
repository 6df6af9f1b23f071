// Identical held blocking queries in one isolate: one call parked in the object however many watch, and
// every watcher answered with its own copy when the index moves. Counted in the object (Watches.parkedOn)
// and in the worker (coalescing), as durable-objects/watches.test.ts counts parked requests.
import { env } from 'cloudflare:test';
import { describe, expect, it, vi } from 'vitest';
import { inObject } from '../../durable-objects/test-support';
import { api, put, registerService, uniq } from '../test-support';
import { coalescing, heldValue } from './coalesce';
import { cacheKey } from './key';
import { lookup } from './store';

const dc = () => env.DATACENTER_OBJECT.getByName('dc1');
const parked = (name: string) => inObject(dc(), (instance) => instance.watches.parkedOn(`service.${name}`));

async function watched(): Promise<{ name: string; index: number }> {
  const name = uniq('coalesce');
  await registerService({ ID: `${name}-1`, Name: name, Check: { TTL: '1h', Status: 'passing' } });
  const res = await api(`/v1/health/service/${name}`);
  await res.arrayBuffer();
  return { name, index: Number(res.headers.get('X-Consul-Index')) };
}

const WATCHERS = 25;

describe('identical held blocking queries', () => {
  it.each([
    ['plain watchers', (name: string, index: number, i: number) => `/v1/health/service/${name}?index=${index}&wait=${30 + i}s`, null],
    ['?cached watchers', (name: string, index: number, i: number) => `/v1/health/service/${name}?cached&index=${index}&wait=${30 + i}s`, 'MISS'],
  ])('%s: one call parked in the object, each watcher answered with its own copy', async (_title, path, xCache) => {
    const { name, index } = await watched();
    const before = { ...coalescing };
    const answers = Array.from({ length: WATCHERS }, (_, i) => api(path(name, index, i)));
    // Wait (bounded) until every watcher is in the worker: each either made the call or joined one.
    if (xCache === null) {
      await vi.waitFor(() => expect(coalescing.calls - before.calls + coalescing.joined - before.joined).toBe(WATCHERS), { timeout: 10_000, interval: 10 });
      expect(coalescing.calls - before.calls).toBe(1);
    } else {
      // Every ?cached watcher waits on the entry, whose one refresh is the only call.
      const entry = () => lookup(cacheKey(`http://beacon.test/v1/health/service/${name}?cached`, 'dc1', ''));
      await vi.waitFor(() => expect(entry()?.watching).toBe(WATCHERS), { timeout: 10_000, interval: 10 });
    }
    await vi.waitFor(async () => expect(await parked(name)).toBe(1), { timeout: 10_000, interval: 10 });

    await put(`/v1/agent/check/fail/service:${name}-1`);
    const replies = await Promise.all(answers);
    const bodies = await Promise.all(replies.map((r) => r.json() as Promise<{ Checks: { Status: string }[] }[]>));
    for (const [i, res] of replies.entries()) {
      expect(res.status).toBe(200);
      expect(Number(res.headers.get('X-Consul-Index'))).toBeGreaterThan(index);
      expect(res.headers.get('Content-Type')).toBe('application/json');
      expect(res.headers.get('X-Cache')).toBe(xCache);
      expect(bodies[i][0].Checks.map((c) => c.Status)).toContain('critical');
    }
    expect(new Set(replies.map((r) => r.headers.get('X-Consul-Index'))).size).toBe(1);
  });

  it('a watcher with a shorter wait is answered at its own deadline, unchanged, while the shared call stays parked', async () => {
    const { name, index } = await watched();
    const long = api(`/v1/health/service/${name}?index=${index}&wait=30s`);
    await vi.waitFor(async () => expect(await parked(name)).toBe(1), { timeout: 10_000, interval: 10 });
    const short = await api(`/v1/health/service/${name}?index=${index}&wait=50ms`);
    expect(Number(short.headers.get('X-Consul-Index'))).toBe(index);
    await short.arrayBuffer();
    expect(await parked(name)).toBe(1);
    await put(`/v1/agent/check/fail/service:${name}-1`);
    const res = await long;
    expect(Number(res.headers.get('X-Consul-Index'))).toBeGreaterThan(index);
    await res.arrayBuffer();
  });

  it('watchers at different indexes are not merged', async () => {
    const { name, index } = await watched();
    const at = api(`/v1/health/service/${name}?index=${index}&wait=30s`);
    const old = await api(`/v1/health/service/${name}?index=${index - 1}&wait=30s`);
    expect(Number(old.headers.get('X-Consul-Index'))).toBe(index);
    await old.arrayBuffer();
    await put(`/v1/agent/check/fail/service:${name}-1`);
    expect(Number((await at).headers.get('X-Consul-Index'))).toBeGreaterThan(index);
  });
});

describe('the plain watch answered before the router', () => {
  it('shares the call of a watch through the full app, and answers header for header as it does', async () => {
    const { name, index } = await watched();
    const before = { ...coalescing };
    const fast = api(`/v1/health/service/${name}?index=${index}&wait=30s`);
    // `?dc=` takes the full app.
    const full = api(`/v1/health/service/${name}?index=${index}&wait=30s&dc=dc1`);
    await vi.waitFor(() => expect(coalescing.calls - before.calls + coalescing.joined - before.joined).toBe(2), { timeout: 10_000, interval: 10 });
    expect(await parked(name)).toBe(1);
    await put(`/v1/agent/check/fail/service:${name}-1`);
    const [a, b] = await Promise.all([fast, full]);
    const headers = (res: Response) => [...res.headers].sort();
    expect(headers(a)).toEqual(headers(b));
    expect(await a.text()).toBe(await b.text());
    expect(Number(a.headers.get('X-Consul-Index'))).toBeGreaterThan(index);
  });

  it.each(['index=1&wait=10x', 'index=abc'])('leaves bad input (%s) to the full app and its 400', async (query) => {
    const res = await api(`/v1/health/service/x?${query}`);
    expect(res.status).toBe(400);
    await res.arrayBuffer();
  });
});

describe('heldValue', () => {
  const keep = () => undefined;
  it('answers a call that ended early and unchanged (a restore ends every wait) instead of calling again', async () => {
    let calls = 0;
    const call = async () => ({ index: 3, value: ++calls });
    const key = uniq('early');
    expect(await heldValue(key, { minIndex: 5, waitMs: 30_000 }, call, keep)).toEqual({ index: 3, value: 1 });
    expect(calls).toBe(1);
  });

  it('reads once without blocking when its own wait ends before the shared call answers', async () => {
    const params: { minIndex: number; waitMs: number }[] = [];
    let release!: () => void;
    const parkedCall = new Promise<void>((resolve) => (release = resolve));
    const call = async (p: { minIndex: number; waitMs: number }) => {
      params.push(p);
      if (p.waitMs > 0) await parkedCall;
      return { index: 5, value: p.waitMs };
    };
    const key = uniq('short');
    const long = heldValue(key, { minIndex: 5, waitMs: 30_000 }, call, keep);
    expect(await heldValue(key, { minIndex: 5, waitMs: 20 }, call, keep)).toEqual({ index: 5, value: 0 });
    expect(params.map((p) => p.minIndex)).toEqual([5, 0]);
    release();
    await long;
  });
});
