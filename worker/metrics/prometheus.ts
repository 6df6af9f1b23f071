// The same metrics in Prometheus' text exposition format 0.0.4, as Consul's go-metrics Prometheus sink
// names them: counters and gauges as they are, samples (timers, ms) as summaries with `_sum` and `_count`.
// Counters and samples are totals since the isolate or object started; gauges are current.
import { mergeAggregates, type Aggregate, type GaugeValue, type Labels, type MetricsDump } from '../../durable-objects/engine/metrics';

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** go-metrics prometheus.go flattenKey: space . = - / become `_`; case is kept. */
export const prometheusName = (name: string) => name.replace(/[ .=\-/]/g, '_');

const escapeValue = (v: string) => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
const labelName = (k: string) => k.replace(/[^a-zA-Z0-9_]/g, '_');

function labelText(labels: Labels): string {
  const pairs = Object.entries(labels).sort(([a], [b]) => a.localeCompare(b));
  return pairs.length ? `{${pairs.map(([k, v]) => `${labelName(k)}="${escapeValue(v)}"`).join(',')}}` : '';
}

const number = (v: number) => (Number.isFinite(v) ? String(v) : v > 0 ? '+Inf' : v < 0 ? '-Inf' : 'NaN');

type Family = { type: 'counter' | 'gauge' | 'summary'; lines: string[] };

function families(dumps: MetricsDump[]): Map<string, Family> {
  const out = new Map<string, Family>();
  const family = (name: string, type: Family['type']) => {
    let f = out.get(name);
    if (!f) out.set(name, (f = { type, lines: [] }));
    return f;
  };
  for (const c of mergeAggregates(...dumps.map((d) => d.totals.counters))) {
    const name = prometheusName(c.name);
    family(name, 'counter').lines.push(`${name}${labelText(c.labels)} ${number(c.sum)}`);
  }
  for (const g of dumps.flatMap((d) => d.gauges) as GaugeValue[]) {
    const name = prometheusName(g.name);
    family(name, 'gauge').lines.push(`${name}${labelText(g.labels)} ${number(g.value)}`);
  }
  for (const s of mergeAggregates(...dumps.map((d) => d.totals.samples)) as Aggregate[]) {
    const name = prometheusName(s.name);
    const labels = labelText(s.labels);
    family(name, 'summary').lines.push(`${name}_sum${labels} ${number(s.sum)}`, `${name}_count${labels} ${s.count}`);
  }
  return out;
}

export function prometheusText(dumps: MetricsDump[]): string {
  const sorted = [...families(dumps)].sort(([a], [b]) => a.localeCompare(b));
  return sorted.map(([name, f]) => [`# HELP ${name} ${name}`, `# TYPE ${name} ${f.type}`, ...f.lines.sort()].join('\n') + '\n').join('');
}
