import { describe, expect, it } from 'vitest';
import { cacheKey } from './key';
import { parseCacheControl } from './cache-control';

const U = 'http://beacon.test/v1/health/service/web';

describe('cacheKey', () => {
  it.each([
    ['parameter order', `${U}?passing&tag=a&cached`, `${U}?tag=a&cached&passing`, true],
    ['how-to-read flags', `${U}?cached&index=5&wait=1s&stale&token=x`, `${U}?cached`, true],
    ['?dc= as written (the datacenter is keyed by name)', `${U}?cached&dc=DC1`, `${U}?cached`, true],
    ['repeated values in any order', `${U}?tag=b&tag=a`, `${U}?tag=a&tag=b`, true],
    ['a selecting parameter', `${U}?cached&passing`, `${U}?cached`, false],
    ['another path', `${U}?cached`, `${U}2?cached`, false],
    ['path case', `${U}?cached`, `${U.toUpperCase()}?cached`, false],
  ])('%s', (_title, a, b, same) => {
    expect(cacheKey(a, 'dc1', '') === cacheKey(b, 'dc1', '')).toBe(same);
  });

  it('separates tokens and datacenters', () => {
    expect(cacheKey(U, 'dc1', 'a')).not.toBe(cacheKey(U, 'dc1', 'b'));
    expect(cacheKey(U, 'dc1', '')).not.toBe(cacheKey(U, 'dc2', ''));
  });
});

describe('parseCacheControl', () => {
  it.each([
    ['', { mustRevalidate: false }],
    ['max-age=30', { maxAgeMs: 30_000, mustRevalidate: false }],
    ['Max-Age=0', { maxAgeMs: 0, mustRevalidate: true }],
    ['must-revalidate', { mustRevalidate: true }],
    ['max-age=10, stale-if-error=600', { maxAgeMs: 10_000, staleIfErrorMs: 600_000, mustRevalidate: false }],
    ['no-store, private', { mustRevalidate: false }],
  ])('%j', (header, expected) => {
    expect(parseCacheControl(header)).toEqual(expected);
  });

  it.each(['max-age=soon', 'max-age=', 'stale-if-error=-1', 'max-age=1.5'])('%j → Invalid Cache-Control header.', (header) => {
    expect(() => parseCacheControl(header)).toThrow('Invalid Cache-Control header.');
  });
});
