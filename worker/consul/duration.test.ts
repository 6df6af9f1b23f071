import { describe, expect, it } from 'vitest';
import { DurationSchema, formatGoDuration, parseGoDuration } from './duration';

describe('parseGoDuration', () => {
  it.each([
    ['10s', 10_000],
    ['1m30s', 90_000],
    ['10.0s', 10_000],
    ['1.978532314300537s', 1978.532314300537],
    ['120000ms', 120_000],
    ['5m', 300_000],
    ['1h2m3.5s', 3_723_500],
    ['.5s', 500],
    ['1.s', 1000],
    ['100ns', 0.0001],
    ['2us', 0.002],
    ['2µs', 0.002],
    ['0', 0],
    ['-1s', -1000],
  ])('reads %s as %d ms', (text, ms) => {
    expect(parseGoDuration(text)).toBeCloseTo(ms, 9);
  });

  it.each(['', '10x', '10', 's', '1m30', 'ten seconds', '1..5s', '--1s'])('refuses %j', (text) => {
    expect(parseGoDuration(text)).toBeUndefined();
  });
});

describe('formatGoDuration', () => {
  it.each([
    [0, '0s'],
    [500, '500ms'],
    [1500, '1.5s'],
    [10_000, '10s'],
    [90_000, '1m30s'],
    [3_600_000, '1h0m0s'],
    [5_400_000, '1h30m0s'],
    [0.002, '2µs'],
    [1.5, '1.5ms'],
    [0.0001, '100ns'],
  ])('prints %d ms as %s', (ms, text) => {
    expect(formatGoDuration(ms)).toBe(text);
    expect(parseGoDuration(text)).toBeCloseTo(ms, 9);
  });
});

describe('DurationSchema', () => {
  it('takes Go strings and integer nanoseconds', () => {
    expect(DurationSchema.parse('15s')).toBe(15_000);
    expect(DurationSchema.parse(15_000_000_000)).toBe(15_000);
  });

  it("refuses a bad string with Go's message", () => {
    const result = DurationSchema.safeParse('10x');
    expect(result.success).toBe(false);
    expect(result.error?.issues[0].message).toBe('time: invalid duration "10x"');
  });
});

describe('Go duration round trip (property)', () => {
  it('parses back whatever it prints, to the nanosecond', async () => {
    const fc = await import('fast-check');
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10 * 24 * 3600 * 1e9 }), (ns) => {
        const text = formatGoDuration(ns / 1e6);
        expect(Math.round(parseGoDuration(text)! * 1e6)).toBe(ns);
      }),
      { numRuns: 500 },
    );
  });
});
