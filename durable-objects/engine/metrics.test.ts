import { runDurableObjectAlarm } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { INTERVAL_MS, mergeAggregates, Metrics, type Aggregate } from './metrics';
import { freshDatacenter, inObject } from '../test-support';

const T0 = 1_700_000_000_000 - (1_700_000_000_000 % INTERVAL_MS);

function at(clock: { ms: number }) {
  return new Metrics(() => clock.ms);
}

describe('metrics registry (go-metrics inmem intervals)', () => {
  const cases: { name: string; steps: [offsetMs: number, counter: number][]; readAt: number; shown: number; count: number }[] = [
    { name: 'shows the current interval while it is the only one', steps: [[1_000, 1], [2_000, 1]], readAt: 3_000, shown: T0, count: 2 },
    { name: 'shows the last finished interval once a newer one exists', steps: [[1_000, 1], [2_000, 4], [12_000, 1]], readAt: 13_000, shown: T0, count: 2 },
    { name: 'a read alone starts the next interval, so the finished one shows', steps: [[1_000, 3]], readAt: 10_500, shown: T0, count: 1 },
    { name: 'an interval with nothing recorded shows empty', steps: [[1_000, 3]], readAt: 25_000, shown: T0, count: 1 },
  ];
  it.each(cases)('$name', ({ steps, readAt, shown, count }) => {
    const clock = { ms: T0 };
    const m = at(clock);
    for (const [offset, n] of steps) {
      clock.ms = T0 + offset;
      m.incr('consul.kvs.apply', n);
    }
    clock.ms = T0 + readAt;
    const start = m.displayedStart();
    expect(start).toBe(shown);
    expect(m.dump(start).interval.counters.map((c) => c.count)).toEqual([count]);
  });

  it('keeps running totals across intervals for Prometheus', () => {
    const clock = { ms: T0 };
    const m = at(clock);
    m.sample('consul.api.http', 4, { method: 'GET', path: 'v1_kv_' });
    clock.ms = T0 + 70_000;
    m.sample('consul.api.http', 6, { path: 'v1_kv_', method: 'GET' });
    const [total] = m.dump(m.displayedStart()).totals.samples;
    expect(total).toMatchObject({ count: 2, sum: 10, sumSq: 52, min: 4, max: 6 });
  });

  it('merges the worker and object series of one name and labels, and only those', () => {
    const a = { name: 'x', labels: { k: 'v' }, count: 1, sum: 2, sumSq: 4, min: 2, max: 2 };
    const merged = mergeAggregates([a], [{ ...a, sum: 5, sumSq: 25, min: 5, max: 5 }, { ...a, labels: { k: 'w' } }]);
    expect(merged).toEqual([{ ...a, count: 2, sum: 7, sumSq: 29, min: 2, max: 5 }, { ...a, labels: { k: 'w' } }]);
  });
});

describe('the Datacenter object metrics', () => {
  it('counts an expired session, the timer that fired and the alarm lag when the alarm runs', async () => {
    const dc = freshDatacenter();
    const created = await dc.sessionCreate({ Name: '', Node: '', LockDelayMs: 0, Behavior: 'release', TTL: '10s', TTLMs: 10_000, NodeChecks: ['serfHealth'], ServiceChecks: null });
    expect(created.ok).toBe(true);
    const before = await dc.metricsDump(0);
    expect(before.gauges.find((g) => g.name === 'consul.session_ttl.active')?.value).toBe(1);
    await inObject(dc, (instance) => instance.clock.advance(25_000));
    await runDurableObjectAlarm(dc as unknown as DurableObjectStub);
    const after = await dc.metricsDump(0);
    const total = (list: Aggregate[], name: string, labels: Record<string, string> = {}) =>
      list.find((a) => a.name === name && Object.entries(labels).every(([k, v]) => a.labels[k] === v))?.count ?? 0;
    expect(total(after.totals.samples, 'consul.session_ttl.invalidate')).toBe(1);
    expect(total(after.totals.counters, 'beacon.timers.fired', { kind: 'session' })).toBe(1);
    const lag = after.totals.samples.find((a) => a.name === 'beacon.alarm.lag')!;
    expect(lag.count).toBeGreaterThanOrEqual(1);
    // The clock moved 25 s past creation; the session was due at 20 s (twice its TTL).
    expect(lag.max).toBeGreaterThanOrEqual(5_000);
    expect(after.gauges.find((g) => g.name === 'consul.session_ttl.active')?.value).toBe(0);
  });
});
