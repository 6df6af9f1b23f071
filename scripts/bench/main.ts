// `npm run bench`: Beacon under plain `workerd serve`, each scenario as req/s and as a ratio to two
// ceilings measured just before it in the same process (a no-op worker, a bare Durable Object round
// trip), then 1,000 blocking watchers woken by one write. Prints a table and rewrites BENCHMARKS.md.
// BENCH_SECONDS (window per measurement, default 5) and BENCH_CONNECTIONS (default 4) tune the load;
// BENCH_ONLY=ttl-pass,kv-put runs just those scenarios, prints them and leaves BENCHMARKS.md alone (the DNS
// and federation scripts then skip themselves, unless BENCH_ONLY also names `dns` or `federation`);
// BENCH_ONLY=watchers runs scenario 4 alone, the same way.
import { availableParallelism, cpus, release, type } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../start-local';
import { closedLoop, type Call, type LoadResult } from './load';
import { stdoutReport, writeBenchmarks, type LoadRow, type Run, type WatchRow } from './report';
import { SCENARIOS, seed, WEB_INSTANCES } from './scenarios';
import { bareWake, watchers } from './watchers';
import { benchSession } from './session';
import { workerdVersion, type Workerd } from './workerd';

const SECONDS = Number(process.env.BENCH_SECONDS) || 5;
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS) || 4;
const WARMUP_MS = 1000;
const WATCHERS = 1000;
const ONLY = process.env.BENCH_ONLY?.split(',').filter(Boolean);
/** The whole run is stopped (workerd included) if it takes longer than this. */
const HARD_LIMIT_MS = 60_000 + SECONDS * 1000 * 30;

type Stats = { writes: number; alarmsSet: number; index: number };

async function measure(server: Workerd, base: string, next: (i: number) => Call, connections: number): Promise<LoadResult> {
  const result = await closedLoop(base, next, { connections, warmupMs: WARMUP_MS, durationMs: SECONDS * 1000, serverPid: server.pid });
  if (result.errors) console.warn(`  ! ${result.errors} errors (${result.dropped} dropped connections) from ${base}${next(0).path}`);
  return result;
}

async function stats(server: Workerd): Promise<Stats> {
  const res = await fetch(`${server.urls.bench}/stats`);
  if (!res.ok) throw new Error(`bench: /stats answered ${res.status}`);
  return (await res.json()) as Stats;
}

async function loadScenarios(server: Workerd): Promise<LoadRow[]> {
  const rows: LoadRow[] = [];
  for (const scenario of SCENARIOS.filter((s) => !ONLY || ONLY.includes(s.key))) {
    const connections = scenario.connections ?? CONNECTIONS;
    const noop = await measure(server, server.urls.noop, () => ({ method: 'GET', path: '/' }), connections);
    const bare = await measure(server, server.urls.bench, () => ({ method: 'GET', path: '/ping' }), connections);
    const before = await stats(server);
    const result = await measure(server, server.urls.beacon, scenario.next, connections);
    const after = await stats(server);
    const row = {
      key: scenario.key, title: scenario.title, connections, result, noop, bare,
      writesPerReq: (after.writes - before.writes) / result.total,
      alarmsPerReq: (after.alarmsSet - before.alarmsSet) / result.total,
    };
    rows.push(row);
    console.log(
      `  ${scenario.title}: ${Math.round(result.rps)} req/s, ${Math.round(result.serverCpuUs)} µs CPU ` +
        `(no-op ${Math.round(noop.rps)} req/s, bare DO ${Math.round(bare.rps)} req/s, ${Math.round(bare.serverCpuUs)} µs CPU)`,
    );
  }
  return rows;
}

async function watchScenarios(server: Workerd): Promise<WatchRow[]> {
  const rows: WatchRow[] = [];
  const cases = [
    { title: `4a. ${WATCHERS} watchers, service with 1 instance`, service: 'watched', id: 'watched-0' },
    { title: `4b. ${WATCHERS} watchers, service with ${WEB_INSTANCES} instances`, service: 'web', id: 'web-0' },
  ];
  for (const c of cases) {
    const before = await stats(server);
    const trigger = { method: 'PUT', path: `/v1/agent/check/fail/service:${c.id}` };
    const result = await watchers(server.urls.beacon, { count: WATCHERS, service: c.service, trigger, settleMs: 1000, timeoutMs: 15_000, serverPid: server.pid });
    const after = await stats(server);
    rows.push({ title: c.title, result, writes: after.writes - before.writes });
    console.log(`  ${c.title}: ${result.answered} answered, p99 ${Math.round(result.p99Ms)} ms, max ${Math.round(result.maxMs)} ms`);
    // The same run's reference: as many bare requests parked in the bench worker, answered with as many bytes.
    const bytes = (await (await fetch(`${server.urls.beacon}/v1/health/service/${c.service}`)).arrayBuffer()).byteLength;
    const ref = await bareWake(server.urls.bench, { count: WATCHERS, settleMs: 1000, timeoutMs: 15_000, serverPid: server.pid, bytes });
    const perUs = (r: typeof result) => Math.round((r.serverCpuMs * 1000) / r.count);
    console.log(`    reference (${WATCHERS} bare requests of ${bytes} bytes released at once): max ${Math.round(ref.maxMs)} ms, ` +
      `workerd ${perUs(ref)} µs per answer; Beacon ${perUs(result)} µs per watcher (${Math.round((100 * perUs(ref)) / perUs(result))}% of the reference's speed); ` +
      `load generator ${Math.round(result.clientCpuMs)} ms CPU; last first byte ${Math.round(result.firstByteMaxMs)} ms`);
  }
  return rows;
}

/** The busiest the load generator's own process was in any window (it shares the 2 cores with workerd). */
const generatorCpu = (rows: LoadRow[]) => Math.max(...rows.flatMap((r) => [r.noop.clientCpu, r.bare.clientCpu, r.result.clientCpu]));

async function main(): Promise<void> {
  const watchersOnly = ONLY?.includes('watchers');
  if (ONLY && !watchersOnly && !SCENARIOS.some((s) => ONLY.includes(s.key))) return void console.log(`bench http: skipped (BENCH_ONLY=${ONLY.join(',')})`);
  const started = Date.now();
  const run = await benchSession('http', HARD_LIMIT_MS, async ({ server }): Promise<Run | undefined> => {
    await seed(server.urls.beacon);
    const rows = await loadScenarios(server);
    if (watchersOnly) await watchScenarios(server);
    if (ONLY) return undefined;
    const watches = await watchScenarios(server);
    const cpu = cpus()[0]?.model.trim() ?? 'unknown CPU';
    return {
      date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
      machine: `${availableParallelism()} cores (nproc), ${cpu}; Node ${process.version}; ${await workerdVersion()}; ` +
        `${type()} ${release()}`,
      settings: `${CONNECTIONS} connections unless noted, ${WARMUP_MS / 1000} s warm-up + ${SECONDS} s window per measurement; ` +
        `${WATCHERS} watchers; the load generator used at most ${Math.round(generatorCpu(rows) * 100)}% of a core`,
      rows,
      heartbeat: rows.find((r) => r.key === 'ttl-pass')!,
      watches,
    };
  });
  if (!run) return;
  console.log(`\n${stdoutReport(run)}\n`);
  await writeBenchmarks(join(PROJECT_ROOT, 'BENCHMARKS.md'), run);
  console.log(`Wrote BENCHMARKS.md (${Math.round((Date.now() - started) / 1000)} s in all).`);
}

await main();
