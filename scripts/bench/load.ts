// Closed-loop load: N keep-alive connections, each sending its next request as soon as the previous
// answer is complete, for a warm-up and then a measured window. Also samples workerd's CPU time from
// /proc so results can be read as CPU per request, which the noisy machine disturbs less than req/s.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { Http1Connection } from './http1';

export interface Call {
  method: string;
  path: string;
  body?: string;
  /** Extra header lines, each ending in CRLF. */
  headers?: string;
}

export interface LoadOptions {
  connections: number;
  warmupMs: number;
  durationMs: number;
  /** workerd's PID, for its CPU time. */
  serverPid: number;
  /** Statuses counted as success (anything else is an error). */
  expect?: number[];
}

export interface LoadResult {
  rps: number;
  /** Requests completed in warm-up plus window (for per-request counters read around the whole run). */
  total: number;
  /** Unexpected statuses, plus connections the server dropped mid-request (each one reopened). */
  errors: number;
  dropped: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** workerd CPU time per request in the window, µs (both of its user and system time). */
  serverCpuUs: number;
  /** Share of one core the load generator itself used in the window. */
  clientCpu: number;
}

const TICK_US = 1e6 / Number(safe(() => execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim(), '100'));

function safe<T>(fn: () => T, fallback: T): T {
  try {
    return fn();
  } catch {
    return fallback;
  }
}

/** utime + stime of a process, µs. */
export function cpuMicros(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * TICK_US;
}

/** The p-th percentile of an ascending array (NaN when empty). */
export const percentile = (sorted: number[], p: number) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] : NaN;

/** Runs `next(i)` (i counts requests across all connections) against `base` until the window ends. */
export async function closedLoop(base: string, next: (i: number) => Call, options: LoadOptions): Promise<LoadResult> {
  const expect = options.expect ?? [200];
  const connections = await Promise.all(Array.from({ length: options.connections }, () => Http1Connection.open(base)));
  const latencies: number[] = [];
  let counter = 0;
  let errors = 0;
  let dropped = 0;
  let measuring = false;
  let stopped = false;
  let windowCount = 0;
  const loop = async (first: Http1Connection, slot: number) => {
    let conn = first;
    while (!stopped) {
      const call = next(counter++);
      const sent = performance.now();
      const reply = await conn.request(call.method, call.path, call.body, call.headers).catch(() => null);
      if (!reply) {
        if (stopped) break;
        // Counted, not fatal: the run goes on and the report shows it.
        dropped++;
        errors++;
        conn.close();
        conn = connections[slot] = await Http1Connection.open(base);
        continue;
      }
      if (!expect.includes(reply.status)) errors++;
      if (measuring) {
        windowCount++;
        latencies.push(performance.now() - sent);
      }
    }
  };
  const loops = connections.map(loop);
  let window: { ms: number; serverUs: number; client: NodeJS.CpuUsage };
  try {
    await Promise.race([sleepMs(options.warmupMs), ...loops]);
    const started = { at: performance.now(), serverUs: cpuMicros(options.serverPid), client: process.cpuUsage() };
    measuring = true;
    await Promise.race([sleepMs(options.durationMs), ...loops]);
    measuring = false;
    window = {
      ms: performance.now() - started.at,
      serverUs: cpuMicros(options.serverPid) - started.serverUs,
      client: process.cpuUsage(started.client),
    };
  } finally {
    stopped = true;
    // A request the server never answers is cut off 10 s after the window (closing ends its loop).
    await atMost(Promise.allSettled(loops), 10_000);
    for (const conn of connections) conn.close();
    await Promise.allSettled(loops);
  }
  await Promise.all(loops);
  latencies.sort((a, b) => a - b);
  return {
    rps: (windowCount * 1000) / window.ms,
    total: counter,
    errors,
    dropped,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    maxMs: latencies.at(-1) ?? NaN,
    serverCpuUs: window.serverUs / windowCount,
    clientCpu: (window.client.user + window.client.system) / 1000 / window.ms,
  };
}

const sleepMs = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Waits for `promise`, or `ms` at most, leaving no timer behind. */
export async function atMost(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([promise, new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}
