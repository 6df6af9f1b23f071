// The soak's figures: percentiles, the RSS slope, and the summary table it prints with each goal.

export function percentiles(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : NaN);
  return { count: sorted.length, p50Ms: +at(50).toFixed(1), p99Ms: +at(99).toFixed(1), maxMs: +(sorted.at(-1) ?? NaN).toFixed(1) };
}

/** Least-squares slope of RSS over time, in MB per minute. */
export function slope(points: { t: number; mb: number }[]): number {
  const n = points.length;
  if (n < 2) return NaN;
  const mt = points.reduce((s, p) => s + p.t, 0) / n;
  const mm = points.reduce((s, p) => s + p.mb, 0) / n;
  const num = points.reduce((s, p) => s + (p.t - mt) * (p.mb - mm), 0);
  const den = points.reduce((s, p) => s + (p.t - mt) ** 2, 0);
  return (num / den) * 60_000;
}

export interface Row {
  what: string;
  value: string;
  /** The goal as text, and whether it was met; no goal: a figure only. */
  goal?: string;
  met?: boolean;
}

export function table(rows: Row[]): string {
  const lines = ['| Measure | Value | Goal |', '|---|---|---|'];
  for (const r of rows) lines.push(`| ${r.what} | ${r.value} | ${r.goal ? `${r.goal}: ${r.met ? 'MET' : 'MISSED'}` : ''} |`);
  return lines.join('\n');
}

export const ms = (p: { p50Ms: number; p99Ms: number; maxMs: number; count: number }) =>
  p.count ? `p50 ${p.p50Ms} ms, p99 ${p.p99Ms} ms, max ${p.maxMs} ms (${p.count})` : 'none';
