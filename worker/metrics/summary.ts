// The worker's, the Datacenter object's and its agent shards' metrics merged into Consul's JSON summary.
import { INTERVAL_MS, mergeAggregates, type Aggregate, type GaugeValue, type MetricsDump } from '../../durable-objects/engine/metrics';
import { goTimeString, type Gauge, type MetricsSummary, type Sampled } from '../consul/metrics';

const byNameAndLabels = <T extends { Name: string; Labels: Record<string, string> }>(a: T, b: T) =>
  a.Name.localeCompare(b.Name) || JSON.stringify(Object.entries(a.Labels).sort()).localeCompare(JSON.stringify(Object.entries(b.Labels).sort()));

/** go-metrics AggregateSample: mean, sample standard deviation, and the rate per second of the interval. */
export function toSampled(a: Aggregate): Sampled {
  const mean = a.count ? a.sum / a.count : 0;
  const variance = a.count > 1 ? (a.sumSq - (a.sum * a.sum) / a.count) / (a.count - 1) : 0;
  return {
    Name: a.name, Count: a.count, Rate: a.sum / (INTERVAL_MS / 1000), Sum: a.sum, Min: a.min, Max: a.max,
    Mean: mean, Stddev: Math.sqrt(Math.max(0, variance)), Labels: a.labels,
  };
}

const toGauge = (g: GaugeValue): Gauge => ({ Name: g.name, Value: g.value, Labels: g.labels });

export function summary(dumps: MetricsDump[]): MetricsSummary {
  return {
    Timestamp: goTimeString(dumps[0].interval.start),
    Gauges: dumps.flatMap((d) => d.gauges).map(toGauge).sort(byNameAndLabels),
    Points: [],
    Counters: mergeAggregates(...dumps.map((d) => d.interval.counters)).map(toSampled).sort(byNameAndLabels),
    Samples: mergeAggregates(...dumps.map((d) => d.interval.samples)).map(toSampled).sort(byNameAndLabels),
  };
}
