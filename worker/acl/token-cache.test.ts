import { describe, expect, it } from 'vitest';
import { TokenCache } from './token-cache';

describe('TokenCache: the bound on how long a deleted or expired token keeps working in an isolate', () => {
  it.each([
    { name: 'a fresh entry is served', setAt: 0, until: 5000, readAt: 4999, hit: true },
    { name: 'an entry at its bound is gone', setAt: 0, until: 5000, readAt: 5000, hit: false },
    { name: 'an entry past its bound is gone', setAt: 0, until: 5000, readAt: 60_000, hit: false },
  ])('$name', ({ until, readAt, hit }) => {
    const cache = new TokenCache<string>();
    cache.set('s', 'identity', until);
    expect(cache.get('s', readAt)).toBe(hit ? 'identity' : undefined);
  });

  it('keeps at most max entries, dropping the oldest', () => {
    const cache = new TokenCache<number>(2);
    cache.set('a', 1, 10);
    cache.set('b', 2, 10);
    cache.set('c', 3, 10);
    expect([cache.get('a', 0), cache.get('b', 0), cache.get('c', 0), cache.size]).toEqual([undefined, 2, 3, 2]);
  });

  it('forgets everything on clear (an ACL write in this isolate)', () => {
    const cache = new TokenCache<number>();
    cache.set('a', 1, 10);
    cache.clear();
    expect(cache.get('a', 0)).toBeUndefined();
  });
});
