// ?cached and ?stale through the real worker and object: HIT/MISS, Age, Cache-Control, per-token entries,
// LastContact, and plain reads untouched. The coalescing of held watchers is in coalesce.test.ts.
import { describe, expect, it, vi } from 'vitest';
import { api, put, registerService, uniq } from '../test-support';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const read = async (path: string, headers: Record<string, string> = {}) => {
  const res = await api(path, { headers });
  return { status: res.status, headers: res.headers, text: await res.text() };
};

async function service(): Promise<string> {
  const name = uniq('cached');
  await registerService({ ID: `${name}-1`, Name: name, Tags: ['a'], Check: { TTL: '1h', Status: 'passing' } });
  return name;
}

async function preparedQuery(): Promise<string> {
  const name = await service();
  const res = await api('/v1/query', { method: 'POST', body: JSON.stringify({ Name: name, Service: { Service: name } }) });
  expect(res.status).toBe(200);
  return ((await res.json()) as { ID: string }).ID;
}

// Every cached endpoint: a first read is a MISS with the plain read's body and index, the next a HIT.
const ENDPOINTS: [string, () => Promise<string>][] = [
  ['health/service', async () => `/v1/health/service/${await service()}`],
  ['health/service ?passing&tag', async () => `/v1/health/service/${await service()}?passing&tag=a`],
  ['catalog/service', async () => `/v1/catalog/service/${await service()}`],
  ['catalog/services', async () => `/v1/catalog/services?filter=${encodeURIComponent(`ServiceName == "${await service()}"`)}`],
  ['catalog/datacenters (simple)', async () => '/v1/catalog/datacenters'],
  ['query execute (simple)', async () => `/v1/query/${await preparedQuery()}/execute`],
];

describe('?cached: HIT and MISS', () => {
  it.each(ENDPOINTS)('%s: MISS, then HIT with Age, same body and index as a plain read', async (_name, make) => {
    const path = await make();
    const sep = path.includes('?') ? '&' : '?';
    const plain = await read(path);
    // A unique extra parameter keeps the entries of tests apart on shared paths (catalog/datacenters).
    const cachedPath = `${path}${sep}cached&case=${uniq('c')}`;
    const first = await read(cachedPath);
    expect(first.status).toBe(200);
    expect([first.headers.get('X-Cache'), first.headers.get('Age')]).toEqual(['MISS', null]);
    const second = await read(cachedPath);
    expect([second.headers.get('X-Cache'), second.headers.get('Age')]).toEqual(['HIT', '0']);
    expect(second.text).toBe(first.text);
    expect(JSON.parse(second.text)).toEqual(JSON.parse(plain.text));
    expect(second.headers.get('X-Consul-Index')).toBe(first.headers.get('X-Consul-Index'));
    expect(second.headers.get('Content-Type')).toBe('application/json');
    expect(plain.headers.get('X-Cache')).toBeNull();
  });
});

describe('?cached: background refresh', () => {
  it('a change reaches the entry without a miss: the next reads are HITs at the new index', async () => {
    const name = await service();
    const path = `/v1/health/service/${name}?cached`;
    const first = await read(path);
    await registerService({ ID: `${name}-2`, Name: name, Check: { TTL: '1h', Status: 'passing' } });
    await vi.waitFor(async () => {
      const now = await read(path);
      expect(now.headers.get('X-Cache')).toBe('HIT');
      expect(Number(now.headers.get('X-Consul-Index'))).toBeGreaterThan(Number(first.headers.get('X-Consul-Index')));
      expect(JSON.parse(now.text)).toHaveLength(2);
    }, { timeout: 10_000, interval: 20 });
  });

  it('?cached&index above the entry\'s index waits for the refresh and answers MISS; below it, HIT at once', async () => {
    const name = await service();
    const path = `/v1/health/service/${name}?cached`;
    const index = Number((await read(path)).headers.get('X-Consul-Index'));
    const below = await read(`${path}&index=${index - 1}`);
    expect([below.headers.get('X-Cache'), below.headers.get('X-Consul-Index')]).toEqual(['HIT', String(index)]);
    const pending = read(`${path}&index=${index}&wait=30s`);
    await put(`/v1/agent/check/fail/service:${name}-1`);
    const woken = await pending;
    expect(woken.headers.get('X-Cache')).toBe('MISS');
    expect(woken.headers.get('Age')).toBeNull();
    expect(Number(woken.headers.get('X-Consul-Index'))).toBeGreaterThan(index);
    expect((JSON.parse(woken.text) as { Checks: { Status: string }[] }[])[0].Checks.map((c) => c.Status)).toContain('critical');
  });

  it('?cached&index at the entry\'s index answers it unchanged when the wait ends', async () => {
    const name = await service();
    const path = `/v1/health/service/${name}?cached`;
    const index = (await read(path)).headers.get('X-Consul-Index');
    const res = await read(`${path}&index=${index}&wait=100ms`);
    expect([res.status, res.headers.get('X-Consul-Index'), res.headers.get('X-Cache')]).toEqual([200, index, 'MISS']);
  });
});

describe('?cached: simple types, Age and Cache-Control', () => {
  it('reports Age in seconds since the fetch, and refetches when older than max-age', async () => {
    const path = `/v1/catalog/datacenters?cached&case=${uniq('age')}`;
    expect((await read(path)).headers.get('X-Cache')).toBe('MISS');
    await sleep(1100);
    const old = await read(path);
    expect(old.headers.get('X-Cache')).toBe('HIT');
    expect(Number(old.headers.get('Age'))).toBeGreaterThanOrEqual(1);
    expect((await read(path, { 'Cache-Control': 'max-age=60' })).headers.get('X-Cache')).toBe('HIT');
    const refetched = await read(path, { 'Cache-Control': 'max-age=1' });
    expect([refetched.headers.get('X-Cache'), refetched.headers.get('Age')]).toEqual(['MISS', null]);
    const fresh = await read(path);
    expect([fresh.headers.get('X-Cache'), fresh.headers.get('Age')]).toEqual(['HIT', '0']);
  });

  it.each([
    ['max-age=0', 'MISS'],
    ['must-revalidate', 'MISS'],
    ['MAX-AGE=3600, stale-if-error=60', 'HIT'],
    ['no-cache', 'HIT'],
  ])('Cache-Control: %s → %s', async (control, expected) => {
    const path = `/v1/catalog/datacenters?cached&case=${uniq('cc')}`;
    await read(path);
    expect((await read(path, { 'Cache-Control': control })).headers.get('X-Cache')).toBe(expected);
  });

  it('a background type ignores max-age (kept fresh by its refresh)', async () => {
    const path = `/v1/health/service/${await service()}?cached`;
    await read(path);
    expect((await read(path, { 'Cache-Control': 'max-age=0' })).headers.get('X-Cache')).toBe('HIT');
  });

  it('a query executes again once its cached answer is older than max-age and sees the change', async () => {
    const id = await preparedQuery();
    const path = `/v1/query/${id}/execute?cached`;
    const first = JSON.parse((await read(path)).text) as { Nodes: unknown[] };
    const name = (first as unknown as { Service: string }).Service;
    await registerService({ ID: `${name}-2`, Name: name });
    expect((JSON.parse((await read(path)).text) as { Nodes: unknown[] }).Nodes).toHaveLength(first.Nodes.length);
    const again = await read(path, { 'Cache-Control': 'max-age=0' });
    expect((JSON.parse(again.text) as { Nodes: unknown[] }).Nodes).toHaveLength(first.Nodes.length + 1);
  });
});

describe('bad input', () => {
  it.each([
    ['/v1/health/service/x?cached&consistent', {}, 'Cannot specify ?cached with ?consistent, conflicting semantics.'],
    ['/v1/health/service/x?stale&consistent', {}, 'Cannot specify ?stale with ?consistent, conflicting semantics.'],
    ['/v1/health/service/x?cached', { 'Cache-Control': 'max-age=soon' }, 'Invalid Cache-Control header.'],
    ['/v1/catalog/datacenters?cached', { 'Cache-Control': 'stale-if-error=1.5' }, 'Invalid Cache-Control header.'],
    ['/v1/health/service/x?cached&index=abc', {}, 'Invalid index'],
  ])('%s %j → 400 %s', async (path, headers, text) => {
    const res = await read(path, headers as Record<string, string>);
    expect([res.status, res.text]).toEqual([400, text]);
  });

  it('an error answer is not cached', async () => {
    const path = `/v1/query/${crypto.randomUUID()}/execute?cached`;
    for (let i = 0; i < 2; i++) expect([(await read(path)).status, (await read(path)).headers.get('X-Cache')]).toEqual([404, null]);
  });
});

describe('entries per token, and plain reads', () => {
  it('keeps a separate entry for each token', async () => {
    const path = `/v1/health/service/${await service()}?cached`;
    expect((await read(path, { 'X-Consul-Token': 'a' })).headers.get('X-Cache')).toBe('MISS');
    expect((await read(path, { 'X-Consul-Token': 'b' })).headers.get('X-Cache')).toBe('MISS');
    expect((await read(`${path}&token=b`)).headers.get('X-Cache')).toBe('HIT');
    expect((await read(path)).headers.get('X-Cache')).toBe('MISS');
  });

  it.each(['', '?consistent', '?index=1&wait=1ms'])('a read without ?cached (%s) goes to the object: a write is seen at once', async (query) => {
    const name = await service();
    await read(`/v1/health/service/${name}?cached`);
    await registerService({ ID: `${name}-2`, Name: name });
    const res = await read(`/v1/health/service/${name}${query}`);
    expect(res.headers.get('X-Cache')).toBeNull();
    expect(JSON.parse(res.text)).toHaveLength(2);
  });
});

describe('?stale from the cache', () => {
  it('answers from an entry with X-Consul-LastContact counting since the object last answered', async () => {
    const name = await service();
    const cached = await read(`/v1/health/service/${name}?cached`);
    await sleep(300);
    const stale = await read(`/v1/health/service/${name}?stale`);
    expect(stale.headers.get('X-Cache')).toBeNull();
    expect(stale.headers.get('X-Consul-Effective-Consistency')).toBe('stale');
    expect(Number(stale.headers.get('X-Consul-LastContact'))).toBeGreaterThanOrEqual(300);
    expect(stale.headers.get('X-Consul-Index')).toBe(cached.headers.get('X-Consul-Index'));
    // ?max_stale shorter than that: read from the object, which is the leader (LastContact 0).
    const bounded = await read(`/v1/health/service/${name}?stale&max_stale=100ms`);
    expect(bounded.headers.get('X-Consul-LastContact')).toBe('0');
    expect(bounded.text).toBe(cached.text);
  });

  it('a first ?stale read fills the entry that later ones are answered from', async () => {
    const name = await service();
    const first = await read(`/v1/health/service/${name}?stale`);
    expect(Number(first.headers.get('X-Consul-LastContact'))).toBeGreaterThanOrEqual(0);
    expect((await read(`/v1/health/service/${name}?cached`)).headers.get('X-Cache')).toBe('HIT');
  });
});

describe('the hit answered before the router', () => {
  it('answers as the full app does, header for header', async () => {
    const path = `/v1/health/service/${await service()}?cached`;
    await read(path);
    const fast = await read(path);
    // A Cache-Control header (ignored by background types) sends the same hit through the full app.
    const full = await read(path, { 'Cache-Control': 'max-age=3600' });
    const headers = (h: Headers) => [...h].filter(([name]) => name !== 'x-consul-lastcontact').sort();
    expect(headers(fast.headers)).toEqual(headers(full.headers));
    expect(fast.text).toBe(full.text);
    expect(fast.headers.get('X-Cache')).toBe('HIT');
  });

  it.each([
    ['gzip', true],
    ['deflate, gzip;q=0.5, br', true],
    ['gzip;q=0', false],
    ['identity', false],
  ])('Accept-Encoding: %s → gzip-encoded: %s, the same JSON either way', async (accept, encoded) => {
    const name = uniq('gz');
    for (let i = 0; i < 12; i++) await registerService({ ID: `${name}-${i}`, Name: name, Tags: ['a', 'b'], Check: { TTL: '1h', Status: 'passing' } });
    const path = `/v1/health/service/${name}?cached`;
    const plain = await read(path);
    expect(plain.text.length).toBeGreaterThan(1024);
    // Compressed by the entry's refresh, just after the miss.
    await vi.waitFor(async () => expect((await read(path, { 'Accept-Encoding': 'gzip' })).headers.get('Content-Encoding')).toBe('gzip'), { timeout: 5000, interval: 20 });
    const res = await api(path, { headers: { 'Accept-Encoding': accept } });
    expect([res.headers.get('Content-Encoding'), res.headers.get('Vary')]).toEqual(encoded ? ['gzip', 'Accept-Encoding'] : [null, null]);
    expect(res.headers.get('X-Cache')).toBe('HIT');
    expect(await res.text()).toBe(plain.text);
  });
});
