// Dot segments in a request path (issue 9 item 2): which forms Beacon refuses, and what reaches it at all.
import { describe, expect, it } from 'vitest';
import { api, put, uniq } from '../test-support';
import { DOT_SEGMENT_REASON, dotSegmentRefusal, hasDotSegment } from './dot-segments';
import { rawPath } from './path';

// Paths as workerd hands them to the worker: it resolves raw `.`/`..` itself but keeps `%2e` forms and `\`
// (test/e2e/raw-paths.test.ts pins that against the workerd binary).
const CASES: [path: string, refused: boolean][] = [
  ['/v1/kv/app/%2e%2e', true],
  ['/v1/kv/app/%2E%2e/other', true],
  ['/v1/kv/app/.%2E', true],
  ['/v1/kv/app/%2e./x', true],
  ['/v1/kv/app/%2e/x', true],
  ['/v1/kv/app/..', true],
  ['/v1/kv/app/./x', true],
  ['/v1/kv/app\\..\\x', true],
  ['/v1/kv/app\\%2e%2e', true],
  ['/v1/query/x/%2e%2e/other-id', true],
  ['/v1/agent/service/deregister/%2e%2e', true],
  ['/v1/kv/app/...', false],
  ['/v1/kv/app/..x/.y/x.', false],
  ['/v1/kv/app/%2e%2e%2e', false],
  ['/v1/kv/app/..%2Fx', false], // one segment for the URL; the KV key rule refuses it after decoding
  ['/v1/kv/app.v1/config', false],
  ['/v1/agent/check/pass/service:web-1', false],
];

describe('hasDotSegment', () => {
  it.each(CASES)('%s → refused: %s', (path, refused) => {
    expect(hasDotSegment(path)).toBe(refused);
  });
});

describe('dotSegmentRefusal', () => {
  it.each(CASES)('answers %s with Consul\'s 400 only when refused (%s)', async (path, refused) => {
    const res = dotSegmentRefusal({ url: `http://beacon.test${path}?recurse` } as Request, {});
    if (!refused) return expect(res).toBeUndefined();
    expect([res?.status, await res?.text(), res?.headers.get('Content-Type')]).toEqual([400, DOT_SEGMENT_REASON, 'text/plain; charset=UTF-8']);
  });
});

describe('rawPath', () => {
  it.each([
    ['http://beacon.test/v1/kv/a/%2e%2e?recurse', '/v1/kv/a/%2e%2e'],
    ['http://beacon.test/v1/kv/a\\..\\b#x', '/v1/kv/a\\..\\b'],
    ['http://beacon.test', '/'],
    ['http://127.0.0.1:8500/v1/kv/?keys', '/v1/kv/'],
  ])('cuts %s to %s without resolving anything', (url, path) => {
    expect(rawPath(url)).toBe(path);
  });
});

describe('dot segments through SELF.fetch', () => {
  it('are resolved by the Request constructor before the worker sees them, so only encoded slashes are left to refuse', () => {
    // What a route test can send: the WHATWG URL parser folds every dot segment (raw, %2e, backslash).
    for (const path of ['/v1/kv/a/..', '/v1/kv/a/%2e%2e', '/v1/kv/a/.%2E', '/v1/kv/a\\..\\']) {
      expect(new Request(`http://beacon.test${path}`).url).toBe('http://beacon.test/v1/kv/');
    }
  });

  it('refuses a key with a `..` segment behind encoded slashes for every method, the read fast path included, and changes nothing', async () => {
    const prefix = uniq('dots');
    await put(`/v1/kv/${prefix}/x`, 'kept');
    for (const [method, query] of [['GET', ''], ['GET', '?recurse'], ['GET', '?keys'], ['PUT', ''], ['DELETE', ''], ['DELETE', '?recurse']]) {
      for (const key of [`${prefix}%2F..%2Fx`, `${prefix}/sub%2F..`, `${prefix}/..%5Cx`]) {
        const res = await api(`/v1/kv/${key}${query}`, { method, body: method === 'PUT' ? 'changed' : undefined });
        expect([res.status, await res.text()], `${method} ${key}${query}`).toEqual([400, 'key contains path traversal sequence']);
      }
    }
    expect(await (await api(`/v1/kv/${prefix}/x?raw`)).text()).toBe('kept');
    expect(await (await api(`/v1/kv/${prefix}?keys`)).json()).toEqual([`${prefix}/x`]);
  });
});
