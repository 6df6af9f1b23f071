// In-memory metrics as hashicorp/go-metrics' inmem sink keeps them: counters and samples aggregated in
// 10 s intervals (the last 6 kept, one minute), plus running totals for Prometheus. One registry lives in
// each worker isolate, each Datacenter object and each agent shard; the metrics route merges them. Recording is
// a map lookup and a few additions: cheap enough for the hot paths.
export const INTERVAL_MS = 10_000;
const RETAINED = 6;

export type Labels = Record<string, string>;

/** One aggregated series, plain data so it crosses RPC. */
export interface Aggregate {
  name: string;
  labels: Labels;
  count: number;
  sum: number;
  sumSq: number;
  min: number;
  max: number;
}

export interface GaugeValue {
  name: string;
  labels: Labels;
  value: number;
}

export interface IntervalDump {
  /** Interval start, ms since the epoch. */
  start: number;
  counters: Aggregate[];
  samples: Aggregate[];
}

/** What one registry holds for the route: one interval's aggregates and the totals since it started. */
export interface MetricsDump {
  interval: IntervalDump;
  totals: { counters: Aggregate[]; samples: Aggregate[] };
  gauges: GaugeValue[];
}

type Series = Map<string, Aggregate>;
interface Interval {
  start: number;
  counters: Series;
  samples: Series;
}

/** A series' name and labels as one map key, built once per observation (the hot paths record several per request). */
export function seriesKey(name: string, labels: Labels): string {
  const names = Object.keys(labels);
  if (names.length > 1) names.sort();
  let key = name;
  for (const label of names) key += `\u0000${label}\u0001${labels[label]}`;
  return key;
}

function add(series: Series, key: string, name: string, labels: Labels, value: number): void {
  const agg = series.get(key);
  if (!agg) {
    series.set(key, { name, labels, count: 1, sum: value, sumSq: value * value, min: value, max: value });
    return;
  }
  agg.count++;
  agg.sum += value;
  agg.sumSq += value * value;
  if (value < agg.min) agg.min = value;
  if (value > agg.max) agg.max = value;
}

/** Two aggregates of one series (from two registries) as one. */
export function combine(a: Aggregate, b: Aggregate): Aggregate {
  return { ...a, count: a.count + b.count, sum: a.sum + b.sum, sumSq: a.sumSq + b.sumSq, min: Math.min(a.min, b.min), max: Math.max(a.max, b.max) };
}

/** Merges lists of aggregates by name and labels. */
export function mergeAggregates(...lists: Aggregate[][]): Aggregate[] {
  const out = new Map<string, Aggregate>();
  for (const agg of lists.flat()) {
    const key = seriesKey(agg.name, agg.labels);
    const seen = out.get(key);
    out.set(key, seen ? combine(seen, agg) : agg);
  }
  return [...out.values()];
}

export class Metrics {
  private readonly intervals: Interval[] = [];
  private readonly totalCounters: Series = new Map();
  private readonly totalSamples: Series = new Map();

  constructor(private readonly now: () => number = Date.now) {}

  /** Measures `run` in ms under `name` (Consul's MeasureSince around an endpoint). */
  async timed<T>(name: string, run: Promise<T>): Promise<T> {
    const started = Date.now();
    try {
      return await run;
    } finally {
      this.sample(name, Date.now() - started);
    }
  }

  /** Adds `n` to a counter (go-metrics IncrCounter). */
  incr(name: string, n = 1, labels: Labels = {}): void {
    const key = seriesKey(name, labels);
    add(this.current().counters, key, name, labels, n);
    add(this.totalCounters, key, name, labels, n);
  }

  /** A counter's sum over all labels since the object started (getStats; the agent shards' bench). */
  counterTotal(name: string): number {
    let sum = 0;
    for (const agg of this.totalCounters.values()) if (agg.name === name) sum += agg.sum;
    return sum;
  }

  /** Records one timing in ms or other observation (go-metrics AddSample / MeasureSince); `key`: seriesKey(name, labels), when kept. */
  sample(name: string, value: number, labels: Labels = {}, key = seriesKey(name, labels)): void {
    add(this.current().samples, key, name, labels, value);
    add(this.totalSamples, key, name, labels, value);
  }

  /**
   * The start of the last finished interval, or of the current one if it is the only one kept (go-metrics
   * inmem_endpoint.go DisplayMetrics). Reading creates the current interval, as go-metrics does.
   */
  displayedStart(): number {
    this.current();
    const n = this.intervals.length;
    return this.intervals[n > 1 ? n - 2 : 0].start;
  }

  dump(start: number, gauges: GaugeValue[] = []): MetricsDump {
    const interval = this.intervals.find((i) => i.start === start);
    return {
      interval: { start, counters: copy(interval?.counters), samples: copy(interval?.samples) },
      totals: { counters: copy(this.totalCounters), samples: copy(this.totalSamples) },
      gauges,
    };
  }

  private current(): Interval {
    const start = Math.floor(this.now() / INTERVAL_MS) * INTERVAL_MS;
    const last = this.intervals[this.intervals.length - 1];
    if (last?.start === start) return last;
    const fresh = { start, counters: new Map(), samples: new Map() };
    this.intervals.push(fresh);
    if (this.intervals.length > RETAINED) this.intervals.shift();
    return fresh;
  }
}

const copy = (series: Series | undefined): Aggregate[] => [...(series?.values() ?? [])].map((a) => ({ ...a, labels: { ...a.labels } }));
