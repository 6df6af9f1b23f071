// Go durations as Consul's JSON carries them: strings such as "10s", "1m30s", "1.978532314300537s", or
// integer nanoseconds. Parsed to milliseconds; printed back as Go's Duration.String() does.
import { z } from 'zod';

const UNIT_NS: Record<string, number> = { ns: 1, us: 1e3, 'µs': 1e3, 'μs': 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };
const PART = /(\d+\.?\d*|\.\d+)(ns|us|µs|μs|ms|s|m|h)/y;

/** Go's time.ParseDuration, in milliseconds; undefined when Go would refuse the text. */
export function parseGoDuration(text: string): number | undefined {
  let rest = text;
  let sign = 1;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    sign = rest.startsWith('-') ? -1 : 1;
    rest = rest.slice(1);
  }
  if (rest === '0') return 0;
  if (rest === '') return undefined;
  let ns = 0;
  PART.lastIndex = 0;
  while (PART.lastIndex < rest.length) {
    const m = PART.exec(rest);
    if (!m) return undefined;
    ns += Number(m[1]) * UNIT_NS[m[2]];
  }
  return (sign * ns) / 1e6;
}

function fraction(value: number, unit: number): string {
  const whole = Math.floor(value / unit);
  const frac = value % unit;
  if (!frac) return String(whole);
  const digits = String(unit).length - 1;
  return `${whole}.${String(frac).padStart(digits, '0').replace(/0+$/, '')}`;
}

/** Go's Duration.String(): "0s", "500ms", "1.5s", "1m30s", "1h0m0s". */
export function formatGoDuration(ms: number): string {
  let ns = Math.round(ms * 1e6);
  const sign = ns < 0 ? '-' : '';
  ns = Math.abs(ns);
  if (ns === 0) return '0s';
  if (ns < 1e3) return `${sign}${ns}ns`;
  if (ns < 1e6) return `${sign}${fraction(ns, 1e3)}µs`;
  if (ns < 1e9) return `${sign}${fraction(ns, 1e6)}ms`;
  const hours = Math.floor(ns / 3600e9);
  const minutes = Math.floor((ns % 3600e9) / 60e9);
  const seconds = fraction(ns % 60e9, 1e9);
  if (hours) return `${sign}${hours}h${minutes}m${seconds}s`;
  if (minutes) return `${sign}${minutes}m${seconds}s`;
  return `${sign}${seconds}s`;
}

/** A duration field: Go string or nanoseconds in, milliseconds out. */
export const DurationSchema = z.union([z.string(), z.number()]).transform((value, ctx) => {
  if (typeof value === 'number') return value / 1e6;
  const ms = parseGoDuration(value);
  if (ms === undefined) {
    ctx.addIssue({ code: 'custom', message: `time: invalid duration "${value}"` });
    return z.NEVER;
  }
  return ms;
});
