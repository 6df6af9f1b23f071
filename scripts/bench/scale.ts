// `npm run bench:scale` (also part of `npm run bench`): TTL checks at scale with the agent shards
// (durable-objects/shards/). Prints, does not write BENCHMARKS.md (the lead records the figures):
//   A. 10,000 TTL checks heartbeating (status unchanged, random check each time): heartbeats/s, p50/p99,
//      Datacenter requests per heartbeat (goal 0) and each shard's share of the heartbeats (goal: none above
//      1/N + 20%), against the bare Durable Object round trip measured just before (goal ≥ 0.9×).
//   B. How cost grows: register / heartbeat / GET /v1/health/service / GET /v1/catalog/services with
//      1k, 10k and 100k instances registered (BENCH_SCALE_LEVELS overrides, e.g. 1000,10000): scale-growth.ts.
// BENCH_SECONDS (window per measurement, default 5) and BENCH_CONNECTIONS (default 4) as in main.ts;
// BENCH_SCALE_LIMIT_S caps the whole run (default: generous for seeding 100k registrations).
import { closedLoop, type Call, type LoadResult } from './load';
import { dcStats, growth, heartbeat, printGrowth, seed, type GrowthRow } from './scale-growth';
import { benchSelected, benchSession } from './session';
import type { Workerd } from './workerd';

const SECONDS = Number(process.env.BENCH_SECONDS) || 5;
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS) || 4;
const LEVELS = (process.env.BENCH_SCALE_LEVELS ?? '1000,10000,100000').split(',').map(Number).filter((n) => n > 0).sort((a, b) => a - b);
const HEARTBEAT_CHECKS = 10_000;
/** The default of AGENT_SHARDS (durable-objects/shards/shard-of.ts); the bench does not set it. */
const SHARDS = 16;

type ShardStats = { requests: number; heartbeats: number; reports: number; checks: number };

async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`bench scale: ${url} answered ${res.status}`);
  return (await res.json()) as T;
}

const shardStats = (server: Workerd) => Promise.all([...Array(SHARDS).keys()].map((i) => getJson<ShardStats>(`${server.urls.bench}/shard-stats?shard=${i}`)));

const measure = (server: Workerd, base: string, next: (i: number) => Call): Promise<LoadResult> =>
  closedLoop(base, next, { connections: CONNECTIONS, warmupMs: 1000, durationMs: SECONDS * 1000, serverPid: server.pid });

async function heartbeatsAtScale(server: Workerd): Promise<void> {
  const bare = await measure(server, server.urls.bench, () => ({ method: 'GET', path: '/ping' }));
  const [dcBefore, shardsBefore] = [await dcStats(server), await shardStats(server)];
  const result = await measure(server, server.urls.beacon, heartbeat(HEARTBEAT_CHECKS));
  const [dcAfter, shardsAfter] = [await dcStats(server), await shardStats(server)];
  const perShard = shardsAfter.map((s, i) => s.heartbeats - shardsBefore[i].heartbeats);
  const total = perShard.reduce((a, b) => a + b, 0);
  const fair = total / SHARDS;
  const worst = Math.max(...perShard);
  console.log(`\nA. ${HEARTBEAT_CHECKS.toLocaleString('en')} TTL checks heartbeating (pass, status unchanged, ${CONNECTIONS} connections, ${SHARDS} shards)`);
  console.log(`  heartbeats/s: ${Math.round(result.rps)} (p50 ${result.p50Ms.toFixed(2)} ms, p99 ${result.p99Ms.toFixed(2)} ms, ${Math.round(result.serverCpuUs)} µs CPU), errors ${result.errors}`);
  const ratio = result.rps / bare.rps;
  const dcPerBeat = (dcAfter.requests - dcBefore.requests) / result.total;
  const over = worst / fair - 1;
  const met = (ok: boolean) => (ok ? '✅ MET' : '❌ MISSED');
  console.log(`  bare DO round trip: ${Math.round(bare.rps)} req/s (p50 ${bare.p50Ms.toFixed(2)} ms) → heartbeat/bare = ${ratio.toFixed(2)}× (goal ≥ 0.9×: ${met(ratio >= 0.9)})`);
  console.log(`  Datacenter requests per heartbeat: ${dcPerBeat.toFixed(4)} (goal 0: ${met(dcPerBeat === 0)}), writes per heartbeat: ${((dcAfter.writes - dcBefore.writes) / result.total).toFixed(4)}`);
  console.log(`  shard heartbeats: min ${Math.min(...perShard)}, max ${worst}, fair share ${Math.round(fair)}; busiest shard at ${(over * 100).toFixed(1)}% over 1/N (goal ≤ 20%: ${met(over <= 0.2)})`);
  console.log(`  checks per shard: ${shardsAfter.map((s) => s.checks).join(' ')}`);
}

async function main(): Promise<void> {
  if (!benchSelected('scale')) return;
  // Seeding dominates: allow 20 ms per instance (a loaded 2-core machine registers ~100/s), or BENCH_SCALE_LIMIT_S.
  const limit = Number(process.env.BENCH_SCALE_LIMIT_S) * 1000 || 300_000 + LEVELS.at(-1)! * 20 + SECONDS * 1000 * 30;
  await benchSession('scale', limit, async ({ server }) => {
    const rows: GrowthRow[] = [];
    let seeded = 0;
    const seedTo = async (n: number) => {
      const started = Date.now();
      await seed(server.urls.beacon, seeded, n);
      const s = (Date.now() - started) / 1000;
      console.log(`  seeded ${(n - seeded).toLocaleString('en')} instances in ${s.toFixed(1)} s (${Math.round((n - seeded) / s)} registrations/s)`);
      seeded = n;
    };
    console.log(`\nB. cost with N instances registered (${LEVELS.join(' / ')}), ${SECONDS} s per operation, ${CONNECTIONS} connections`);
    for (const level of LEVELS) {
      await seedTo(level);
      rows.push(await growth(server, level));
      if (level === HEARTBEAT_CHECKS) await heartbeatsAtScale(server);
    }
    if (!LEVELS.includes(HEARTBEAT_CHECKS)) {
      await seedTo(Math.max(seeded, HEARTBEAT_CHECKS));
      await heartbeatsAtScale(server);
    }
    printGrowth(rows);
  });
}

await main();
