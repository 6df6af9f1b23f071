// `npm run bench:cache` (and part of `npm run bench`): cached reads and identical held watchers, in plain
// `workerd serve`. (1) `GET /v1/health/service/web?cached` of a 100-instance service against the no-op
// worker measured just before it (ROUNDS alternations, the median shown), beside the plain and `?stale`
// reads; (2) WATCHERS identical blocking queries on one service: how many calls the object holds while they
// are parked, workerd's RSS per parked watcher, and each watcher's wait after one write. Prints its figures
// (the lead records them in BENCHMARKS.md). BENCH_CACHE_WATCHERS (default 10000; 0 skips the watchers), BENCH_ROUNDS and BENCH_SECONDS tune it;
// BENCH_CACHE_READS=0 skips (1). Beside the watchers, the same number of requests parked in the bench worker
// and released at once (bareWake): workerd's own cost of waking held requests, the reference of the same run.
import { readFileSync } from 'node:fs';
import { Http1Connection } from './http1';
import { closedLoop, type Call, type LoadResult } from './load';
import { benchSelected, benchSession } from './session';
import { bareWake, watchers, type WatchResult } from './watchers';
import type { Workerd } from './workerd';

const SECONDS = Number(process.env.BENCH_SECONDS) || 5;
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS) || 4;
const WATCHERS = process.env.BENCH_CACHE_WATCHERS ? Number(process.env.BENCH_CACHE_WATCHERS) : 10_000;
const ROUNDS = Number(process.env.BENCH_ROUNDS) || 3;
const INSTANCES = 100;
const HARD_LIMIT_MS = 10 * 60_000;
const WAKE_TARGET_MS = 250;
const PER_WATCHER_TARGET_KB = 10;

const get = (path: string, headers?: string) => (): Call => ({ method: 'GET', path, headers });
/** What Go's HTTP client (the consul api package, consul-template, Prometheus) sends unless told not to. */
const GZIP = 'Accept-Encoding: gzip\r\n';
/** The goal for a `?cached` hit of a 100-instance health/service, as a share of the no-op worker's req/s. */
const GOAL = 0.8;

async function seed(base: string): Promise<void> {
  const conn = await Http1Connection.open(base);
  try {
    const ids = [...Array.from({ length: INSTANCES }, (_, i) => ['web', `web-${i}`]), ['watched', 'watched-0']];
    for (const [name, id] of ids) {
      const body = JSON.stringify({ ID: id, Name: name, Port: 8080, Tags: ['bench'], Check: { TTL: '10m', Status: 'passing' } });
      const reply = await conn.request('PUT', '/v1/agent/service/register', body);
      if (reply.status !== 200) throw new Error(`bench cache: registering ${id} answered ${reply.status}`);
    }
    // The first ?cached read is the miss that starts the entry's background refresh.
    const first = await conn.request('GET', '/v1/health/service/web?cached');
    if (first.status !== 200 || !first.head.toLowerCase().includes('x-cache: miss')) throw new Error('bench cache: the first ?cached read was not a MISS');
  } finally {
    conn.close();
  }
}

const measure = (server: Workerd, base: string, next: () => Call) =>
  closedLoop(base, next, { connections: CONNECTIONS, warmupMs: 1000, durationMs: SECONDS * 1000, serverPid: server.pid });

interface Round { noop: LoadResult; sized: LoadResult; shaped: LoadResult; cached: LoadResult; gzip: LoadResult; plain: LoadResult; stale: LoadResult; bytes: number; gzipBytes: number }

async function reads(server: Workerd): Promise<Round> {
  const rounds: Round[] = [];
  const bytes = (await (await fetch(`${server.urls.beacon}/v1/health/service/web?cached`)).arrayBuffer()).byteLength;
  const gzipBytes = await compressedSize(server.urls.beacon);
  for (let i = 0; i < ROUNDS; i++) {
    rounds.push({
      bytes,
      gzipBytes,
      noop: await measure(server, server.urls.noop, get('/')),
      sized: await measure(server, server.urls.bench, get(`/bytes/${bytes}`)),
      shaped: await measure(server, server.urls.bench, get(`/hit-shaped/${gzipBytes}`)),
      cached: await measure(server, server.urls.beacon, get('/v1/health/service/web?cached')),
      gzip: await measure(server, server.urls.beacon, get('/v1/health/service/web?cached', GZIP)),
      plain: await measure(server, server.urls.beacon, get('/v1/health/service/web')),
      stale: await measure(server, server.urls.beacon, get('/v1/health/service/web?stale')),
    });
    const r = rounds.at(-1)!;
    console.log(`  round ${i + 1}: no-op ${Math.round(r.noop.rps)}, no-op of ${bytes} bytes ${Math.round(r.sized.rps)}, ?cached ${Math.round(r.cached.rps)}, ?cached gzip ${Math.round(r.gzip.rps)}, shaped no-op ${Math.round(r.shaped.rps)}, plain ${Math.round(r.plain.rps)}, ?stale ${Math.round(r.stale.rps)} req/s`);
  }
  rounds.sort((a, b) => a.cached.rps / a.noop.rps - b.cached.rps / b.noop.rps);
  return rounds[Math.floor(ROUNDS / 2)];
}

/** The size of a gzip-encoded hit, once the entry's refresh has compressed it (bounded wait). */
async function compressedSize(base: string): Promise<number> {
  const conn = await Http1Connection.open(base);
  try {
    for (let i = 0; i < 100; i++) {
      const reply = await conn.request('GET', '/v1/health/service/web?cached', undefined, GZIP);
      if (/content-encoding: gzip/i.test(reply.head)) return reply.body.byteLength;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error('bench cache: the ?cached hit was never answered gzip-encoded');
  } finally {
    conn.close();
  }
}

const rssKb = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);

async function heldInObject(base: string): Promise<number> {
  const res = await fetch(`${base}/v1/agent/metrics`, { signal: AbortSignal.timeout(30_000) });
  const { Gauges } = (await res.json()) as { Gauges: { Name: string; Value: number }[] };
  return Gauges.find((g) => g.Name === 'beacon.blocking_queries.held')?.Value ?? NaN;
}

interface Watch { title: string; result: WatchResult; held: number; heldBefore: number; rssBeforeKb: number; rssParkedKb: number }

async function watch(server: Workerd, title: string, query: string | undefined): Promise<Watch> {
  console.log(`  ${title}: opening connections…`);
  const rssBeforeKb = rssKb(server.pid);
  // Calls parked before the watchers (the refresh of the ?cached entry of `web`) are not theirs.
  const heldBefore = await heldInObject(server.urls.beacon);
  let held = NaN;
  let rssParkedKb = NaN;
  const result = await watchers(server.urls.beacon, {
    count: WATCHERS, service: 'watched', query, settleMs: 3000, timeoutMs: 60_000, waitS: 540,
    serverPid: server.pid,
    trigger: { method: 'PUT', path: `/v1/agent/check/${title.includes('#2') ? 'pass' : 'fail'}/service:watched-0` },
    whileParked: async () => {
      rssParkedKb = rssKb(server.pid);
      held = await heldInObject(server.urls.beacon);
    },
  });
  return { title, result, held: held - heldBefore, heldBefore, rssBeforeKb, rssParkedKb };
}

/** The reference: as many requests parked in the bench worker, answered with as many bytes, released by one request. */
async function bareWatch(server: Workerd, bytes: number): Promise<Watch> {
  console.log(`  reference: ${WATCHERS} requests parked in the bench worker…`);
  const rssBeforeKb = rssKb(server.pid);
  let rssParkedKb = NaN;
  const result = await bareWake(server.urls.bench, {
    count: WATCHERS, settleMs: 3000, timeoutMs: 60_000, serverPid: server.pid, bytes,
    whileParked: async () => void (rssParkedKb = rssKb(server.pid)),
  });
  return { title: `reference: ${WATCHERS} bare requests parked, ${bytes}-byte answers`, result, held: NaN, heldBefore: NaN, rssBeforeKb, rssParkedKb };
}

const pct = (n: number) => `${(n * 100).toFixed(0)}%`;

function report(r: Round | undefined, watches: Watch[]): string {
  return [...(r ? readLines(r) : []), ...(watches.length ? watchLines(watches) : [])].join('\n');
}

function readLines(r: Round): string[] {
  const row = (name: string, x: LoadResult) =>
    `| ${name} | ${Math.round(x.rps)} | ${pct(x.rps / r.noop.rps)} | ${pct(x.rps / r.sized.rps)} | ${Math.round(x.serverCpuUs)} | ` +
    `${pct(r.noop.serverCpuUs / x.serverCpuUs)} | ${x.p50Ms.toFixed(1)} / ${x.p99Ms.toFixed(1)} | ${(x.clientCpu * 100).toFixed(0)}% | ${x.errors} |`;
  return [
    `Cached reads (${CONNECTIONS} connections, 1 s warm-up + ${SECONDS} s window, median of ${ROUNDS} rounds by the ?cached ratio; ${INSTANCES} instances):`,
    '',
    '| read | req/s | ÷ no-op | ÷ no-op of the same size | workerd CPU µs/req | ÷ no-op by CPU | p50 / p99 ms | load generator CPU | errors |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    row('no-op worker (`ok`)', r.noop),
    row(`no-op worker answering ${r.bytes} bytes`, r.sized),
    row('GET /v1/health/service/web?cached (hit)', r.cached),
    row(`the same hit, Accept-Encoding: gzip (${r.gzipBytes} bytes, as Go clients ask)`, r.gzip),
    row(`no-op worker answering ${r.gzipBytes} bytes with the gzip hit's headers`, r.shaped),
    row('GET /v1/health/service/web (plain)', r.plain),
    row('GET /v1/health/service/web?stale (from the cache)', r.stale),
    '',
    `Goal: a ?cached hit ≥ ${GOAL}× the no-op worker's req/s. ` +
      `Identity-encoded: ${(r.cached.rps / r.noop.rps).toFixed(2)}× ${r.cached.rps / r.noop.rps >= GOAL ? 'MET' : 'MISSED'} ` +
      `(the no-op answering the same ${r.bytes} bytes reaches ${(r.sized.rps / r.noop.rps).toFixed(2)}×: the bytes are the ceiling); ` +
      `gzip-encoded: ${(r.gzip.rps / r.noop.rps).toFixed(2)}× ${r.gzip.rps / r.noop.rps >= GOAL ? 'MET' : 'MISSED'} ` +
      `(a no-op answering the same ${r.gzipBytes} bytes with the same headers reaches ${(r.shaped.rps / r.noop.rps).toFixed(2)}×; the hit is ${(r.gzip.rps / r.shaped.rps).toFixed(2)}× of it).`,
    '',
  ];
}

function watchLines(watches: Watch[]): string[] {
  return [
    `Identical held watchers (one connection each, ?index=<current>&wait=540s on a 1-instance service, then one write), beside the`,
    `reference (bare requests parked in the bench worker, released by one request). CPU is workerd's (user + system) from the write to`,
    'the last answer, per watcher; "first byte" is when the last answer to start arriving began, after the write.',
    '',
    '| watchers | answered | ≤ 250 ms | p50 / p99 / max ms | last first byte ms | workerd CPU µs per watcher | ÷ reference by CPU | load generator CPU ms | calls they hold in the object | workerd RSS before → parked | per watcher | early / bad |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...watches.map((w) => {
      const per = ((w.rssParkedKb - w.rssBeforeKb) * 1024) / w.result.count;
      const cpu = (w.result.serverCpuMs * 1000) / w.result.count;
      const ref = watches.find((x) => Number.isNaN(x.held));
      const refCpu = ref ? (ref.result.serverCpuMs * 1000) / ref.result.count : NaN;
      return `| ${w.title} | ${w.result.answered}/${w.result.count} | ${w.result.within250}/${w.result.count} | ` +
        `${Math.round(w.result.p50Ms)} / ${Math.round(w.result.p99Ms)} / ${Math.round(w.result.maxMs)} | ${Math.round(w.result.firstByteMaxMs)} | ` +
        `${Math.round(cpu)} | ${pct(refCpu / cpu)} | ${Math.round(w.result.clientCpuMs)} | ${Number.isNaN(w.held) ? '–' : w.held} | ` +
        `${Math.round(w.rssBeforeKb / 1024)} → ${Math.round(w.rssParkedKb / 1024)} MB | ${(per / 1024).toFixed(1)} KB | ${w.result.early} / ${w.result.bad} |`;
    }),
    '',
    ...targets(watches),
  ];
}

/** The goals for the Beacon watchers (not the reference), MET or MISSED. */
function targets(watches: Watch[]): string[] {
  const mark = (met: boolean, goal: string, got: string) => `- ${met ? '✅ MET' : '❌ **MISSED**'}: ${goal}: ${got}`;
  return watches.filter((w) => !Number.isNaN(w.held)).flatMap((w, i) => {
    const perKb = (w.rssParkedKb - w.rssBeforeKb) / w.result.count;
    return [
      mark(w.result.within250 === w.result.count, `${w.title}: every one answered within ${WAKE_TARGET_MS} ms of the change`, `max ${Math.round(w.result.maxMs)} ms, ${w.result.within250}/${w.result.count}`),
      mark(w.held <= 1, `${w.title}: at most one call per isolate held in the object`, `${w.held}`),
      // Later rounds park in the heap the first one grew (RSS stays reserved): only the first is a per-watcher cost.
      i === 0
        ? mark(perKb < PER_WATCHER_TARGET_KB, `${w.title}: server memory per held watcher < ${PER_WATCHER_TARGET_KB} KB (connections included)`, `${perKb.toFixed(1)} KB`)
        : `- (${w.title}: RSS per watcher not judged, it reuses the heap the first round grew)`,
    ];
  });
}

async function main(): Promise<void> {
  if (!benchSelected('cache')) return;
  await benchSession('cache', HARD_LIMIT_MS, async ({ server }) => {
    await seed(server.urls.beacon);
    const round = process.env.BENCH_CACHE_READS === '0' ? undefined : await reads(server);
    // Measured first: node's fetch may reuse a pooled socket workerd closed while 10,000 were open.
    const bytes = WATCHERS === 0 ? 0 : (await (await fetch(`${server.urls.beacon}/v1/health/service/watched`)).arrayBuffer()).byteLength;
    const watches = WATCHERS === 0 ? [] : [
      // First: its RSS growth is the one measured against a workerd that has not held 10,000 requests yet.
      await watch(server, `${WATCHERS} plain watchers #1`, undefined),
      await watch(server, `${WATCHERS} ?cached watchers #2`, 'cached'),
      await bareWatch(server, bytes),
    ];
    console.log(`\n${report(round, watches)}\n`);
  });
}

await main();
