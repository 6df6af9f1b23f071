// The behaviour every blocking read endpoint owes its watchers, run by each route's tests
// (after unstorage's testDriver): answer at once, wait, wake on a related write, sleep through others.
import { expect, it } from 'vitest';
import { api } from '../test-support';

export interface BlockingReadCase {
  /** Path (with query) of the read; called once per test after `setup`. */
  path: () => string;
  setup?: () => Promise<void>;
  /** A write that changes what `path` reads. */
  relatedWrite: () => Promise<void>;
  /** A write elsewhere that must not end the wait. */
  unrelatedWrite: () => Promise<void>;
}

const withIndex = (path: string, index: number, wait: string) => `${path}${path.includes('?') ? '&' : '?'}index=${index}&wait=${wait}`;

export function blockingReadContract(name: string, make: () => BlockingReadCase): void {
  it(`${name}: answers at once with no index, with X-Consul-Index of at least 1`, async () => {
    const c = make();
    await c.setup?.();
    const res = await api(c.path());
    expect(res.status).toBe(200);
    expect(Number(res.headers.get('X-Consul-Index'))).toBeGreaterThanOrEqual(1);
    expect(res.headers.get('X-Consul-KnownLeader')).toBe('true');
    await res.arrayBuffer();
  });

  it(`${name}: waits at the current index and returns it unchanged when the wait ends`, async () => {
    const c = make();
    await c.setup?.();
    const first = await api(c.path());
    const index = Number(first.headers.get('X-Consul-Index'));
    await first.arrayBuffer();
    const res = await api(withIndex(c.path(), index, '100ms'));
    expect(Number(res.headers.get('X-Consul-Index'))).toBe(index);
    await res.arrayBuffer();
  });

  it(`${name}: wakes on a related write with a higher index`, async () => {
    const c = make();
    await c.setup?.();
    const first = await api(c.path());
    const index = Number(first.headers.get('X-Consul-Index'));
    await first.arrayBuffer();
    const pending = api(withIndex(c.path(), index, '30s'));
    await c.relatedWrite();
    const res = await pending;
    expect(Number(res.headers.get('X-Consul-Index'))).toBeGreaterThan(index);
    await res.arrayBuffer();
  });

  it(`${name}: stays blocked through an unrelated write`, async () => {
    const c = make();
    await c.setup?.();
    const first = await api(c.path());
    const index = Number(first.headers.get('X-Consul-Index'));
    const before = await first.text();
    const pending = api(withIndex(c.path(), index, '300ms'));
    await c.unrelatedWrite();
    const res = await pending;
    expect(Number(res.headers.get('X-Consul-Index'))).toBe(index);
    expect(await res.text()).toBe(before);
  });
}
