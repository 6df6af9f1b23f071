import { describe, expect, it } from 'vitest';
import { AnswerCache } from './cache';

describe('AnswerCache', () => {
  it('forgets an entry once its time is up, whatever the answer', () => {
    let now = 0;
    const cache = new AnswerCache<string>(500, 10, () => now);
    cache.set('a', 'x');
    now = 499;
    expect(cache.get('a')).toBe('x');
    now = 500;
    expect(cache.get('a')).toBeUndefined();
  });

  it('runs one load for concurrent misses and keeps failures out', async () => {
    const cache = new AnswerCache<number>(500, 10);
    let loads = 0;
    const load = async () => ++loads;
    const results = await Promise.all([cache.fetch('k', load), cache.fetch('k', load), cache.fetch('k', load)]);
    expect(results.map((r) => r.value)).toEqual([1, 1, 1]);
    await expect(cache.fetch('bad', () => Promise.reject(new Error('down')))).rejects.toThrow('down');
    expect(cache.get('bad')).toBeUndefined();
    expect((await cache.fetch('bad', load)).value).toBe(2);
  });

  it('stays within its size under a flood of distinct names', () => {
    const cache = new AnswerCache<number>(500, 100, () => 0);
    for (let i = 0; i < 1000; i++) cache.set(`name-${i}`, i);
    expect(cache.size).toBeLessThanOrEqual(100);
  });

  it('caches nothing with a zero lifetime', async () => {
    const cache = new AnswerCache<number>(0, 10);
    let loads = 0;
    await cache.fetch('k', async () => ++loads);
    await cache.fetch('k', async () => ++loads);
    expect(loads).toBe(2);
  });
});
