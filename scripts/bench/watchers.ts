// Scenario 4: many blocking queries parked on one service, one related write, and how long each
// watcher waits for its answer after the write was sent (t0). One connection per watcher.
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { header, Http1Connection, type Reply } from './http1';
import { atMost, cpuMicros, percentile, type Call } from './load';

export interface WatchOptions {
  count: number;
  service: string;
  /** The write that must wake every watcher. */
  trigger: Call;
  /** How long parked watchers are left alone before t0. */
  settleMs: number;
  /** Longest wait for the answers after t0. */
  timeoutMs: number;
  /** The watches' `?wait=` in seconds (default 60): opening 10,000 connections can take longer than that. */
  waitS?: number;
  /** Extra query parameters of every watch, e.g. `cached` (scripts/bench/cache.ts). */
  query?: string;
  /** Run once the watchers are parked and settled, just before t0 (the cache bench samples memory here). */
  whileParked?: () => Promise<void>;
  /** workerd's PID: its CPU time from t0 to the last answer is reported, beside the load generator's. */
  serverPid?: number;
}

export interface WatchResult {
  count: number;
  answered: number;
  /** Answers before t0 (must be 0: they were not parked); failed requests and answers that were not a fresh 200. */
  early: number;
  bad: number;
  writeMs: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  within250: number;
  /** When the first byte of the last answer to start arriving came, after t0: the server's share of maxMs. */
  firstByteMaxMs: number;
  /** CPU time from t0 to the last answer: workerd's (NaN without serverPid) and this load generator's. */
  serverCpuMs: number;
  clientCpuMs: number;
}

const OPEN_BATCH = 100;

export async function watchers(beacon: string, options: WatchOptions): Promise<WatchResult> {
  const path = `/v1/health/service/${options.service}`;
  const index = Number(header((await control(beacon, 'GET', path)).head, 'x-consul-index'));
  if (!(index > 0)) throw new Error(`bench: no X-Consul-Index on ${path}`);
  const watch = `${path}?${options.query ? `${options.query}&` : ''}index=${index}&wait=${options.waitS ?? 60}s`;
  // A plain read answered after the watches means the worker has seen them.
  return parkAndWake(beacon, watch, path, options, (r) => r.status === 200 && Number(header(r.head, 'x-consul-index')) > index);
}

/**
 * The reference for the same run: `count` requests parked in the bench worker (scripts/bench/bare-worker.ts,
 * each awaiting a promise of its own and a timer), all released by one request: workerd's own cost of
 * waking held requests and writing their answers, with nothing of Beacon's.
 */
export function bareWake(bench: string, options: Pick<WatchOptions, 'count' | 'settleMs' | 'timeoutMs' | 'serverPid' | 'whileParked'> & { bytes?: number }): Promise<WatchResult> {
  const trigger = { method: 'GET', path: '/release' };
  return parkAndWake(bench, `/hold?bytes=${options.bytes ?? 2}`, '/ping', { ...options, trigger }, (r) => r.status === 200);
}

// One connection per control request: a connection left idle while thousands open may be closed by workerd.
async function control(base: string, method: string, target: string, body?: string): Promise<Reply> {
  const conn = await Http1Connection.open(base);
  try {
    return await conn.request(method, target, body);
  } finally {
    conn.close();
  }
}

type ParkOptions = Pick<WatchOptions, 'count' | 'trigger' | 'settleMs' | 'timeoutMs' | 'whileParked' | 'serverPid'>;

async function parkAndWake(base: string, watch: string, behind: string, options: ParkOptions, fresh: (reply: Reply) => boolean): Promise<WatchResult> {
  const conns: Http1Connection[] = [];
  try {
    let early = 0;
    let failed = 0;
    let t0 = Infinity;
    const replies: Reply[] = [];
    const answers: Promise<unknown>[] = [];
    // Each batch sends its watches as soon as it is open, so no connection sits idle.
    for (let i = 0; i < options.count; i += OPEN_BATCH) {
      const batch = await Promise.all(Array.from({ length: Math.min(OPEN_BATCH, options.count - i) }, () => Http1Connection.open(base)));
      conns.push(...batch);
      for (const conn of batch) {
        answers.push(conn.request('GET', watch).then(
          (reply) => {
            if (reply.doneAt < t0) early++;
            replies.push(reply);
          },
          () => failed++,
        ));
      }
    }
    // Every request is on the wire; a request answered after them means the worker has seen them.
    await control(base, 'GET', behind);
    await sleep(options.settleMs);
    await options.whileParked?.();

    const serverCpu0 = options.serverPid ? cpuMicros(options.serverPid) : NaN;
    const clientCpu0 = process.cpuUsage();
    t0 = performance.now();
    const write = await control(base, options.trigger.method, options.trigger.path, options.trigger.body);
    const writeMs = performance.now() - t0;
    if (write.status !== 200) throw new Error(`bench: trigger ${options.trigger.path} answered ${write.status}`);
    await atMost(Promise.all(answers), options.timeoutMs);
    const serverCpuMs = options.serverPid ? (cpuMicros(options.serverPid) - serverCpu0) / 1000 : NaN;
    const clientCpu = process.cpuUsage(clientCpu0);
    const bad = failed + replies.filter((r) => !fresh(r)).length;
    const latencies = replies.map((r) => r.doneAt - t0).sort((a, b) => a - b);
    return {
      count: options.count,
      answered: replies.length,
      early,
      bad,
      writeMs,
      p50Ms: percentile(latencies, 50),
      p99Ms: percentile(latencies, 99),
      maxMs: latencies.at(-1) ?? NaN,
      within250: latencies.filter((ms) => ms <= 250).length,
      firstByteMaxMs: Math.max(...replies.map((r) => r.firstByteAt - t0)),
      serverCpuMs,
      clientCpuMs: (clientCpu.user + clientCpu.system) / 1000,
    };
  } finally {
    for (const conn of conns) conn.close();
  }
}
