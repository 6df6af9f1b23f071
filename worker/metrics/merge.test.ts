import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { describe, expect, it } from 'vitest';
import { INTERVAL_MS, Metrics, type MetricsDump } from '../../durable-objects/engine/metrics';
import { prometheusText } from './prometheus';
import { summary } from './summary';

const T0 = 1_700_000_000_000 - (1_700_000_000_000 % INTERVAL_MS);

/** One registry's dump: the counters it recorded, as the worker, the Datacenter and each shard keep their own. */
function dumpOf(record: (m: Metrics) => void): MetricsDump {
  const m = new Metrics(() => T0 + 1_000);
  record(m);
  return m.dump(m.displayedStart());
}

// The worker isolate, the Datacenter object and two agent shards, each holding a share of the datacenter's figures.
const dumps = [
  dumpOf((m) => m.incr('beacon.timers.fired', 1, { kind: 'reap' })),
  dumpOf((m) => (m.incr('beacon.timers.fired', 2, { kind: 'ttl' }), m.sample('beacon.alarm.lag', 4))),
  dumpOf((m) => (m.incr('beacon.timers.fired', 3, { kind: 'ttl' }), m.incr('beacon.check.runs'), m.sample('beacon.alarm.lag', 6))),
  dumpOf((m) => (m.incr('beacon.timers.fired', 1, { kind: 'ttl' }), m.incr('beacon.check.runs', 2))),
];

describe('metrics merged across registries', () => {
  const cases: { name: string; labels: Record<string, string>; count: number; sum: number }[] = [
    { name: 'beacon.timers.fired', labels: { kind: 'ttl' }, count: 3, sum: 6 },
    { name: 'beacon.timers.fired', labels: { kind: 'reap' }, count: 1, sum: 1 },
    { name: 'beacon.check.runs', labels: {}, count: 2, sum: 3 },
  ];

  it.each(cases)('adds $name $labels across dumps into one JSON counter', ({ name, labels, count, sum }) => {
    const matches = summary(dumps).Counters.filter((c) => c.Name === name && JSON.stringify(c.Labels) === JSON.stringify(labels));
    expect(matches).toHaveLength(1);
    expect(matches[0]).toMatchObject({ Count: count, Sum: sum, Rate: sum / 10 });
  });

  it.each(cases)('adds $name $labels across dumps into one Prometheus series', ({ name, labels, sum }) => {
    const family = parsePrometheusTextFormat(prometheusText(dumps)).find((f) => f.name === name.replace(/\./g, '_'));
    const series = family?.metrics.filter((s) => JSON.stringify(s.labels ?? {}) === JSON.stringify(labels));
    expect(series?.map((s) => Number(s.value))).toEqual([sum]);
  });

  it('merges samples of one name across dumps (the objects\' alarm lag)', () => {
    expect(summary(dumps).Samples.find((s) => s.Name === 'beacon.alarm.lag')).toMatchObject({ Count: 2, Sum: 10, Min: 4, Max: 6 });
    const lag = parsePrometheusTextFormat(prometheusText(dumps)).find((f) => f.name === 'beacon_alarm_lag');
    expect(lag?.metrics).toMatchObject([{ count: '2', sum: '10' }]);
  });
});
