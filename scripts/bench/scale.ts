// `npm run bench:scale` (also part of `npm run bench`): TTL checks at scale with the agent shards
// (durable-objects/shards/). Prints, does not write BENCHMARKS.md (the lead records the figures):
//   A. 10,000 TTL checks heartbeating (status unchanged, random check each time): heartbeats/s, p50/p99,
//      Datacenter requests per heartbeat (goal 0) and each shard's share of the heartbeats (goal: none above
//      1/N + 20%), against the bare Durable Object round trip measured just before (goal ≥ 0.9×).
//   B. How cost grows: register / heartbeat / GET /v1/health/service / GET /v1/catalog/services with
//      1k, 10k and 100k instances registered (BENCH_SCALE_LEVELS overrides, e.g. 1000,10000).
// BENCH_SECONDS (window per measurement, default 5) and BENCH_CONNECTIONS (default 4) as in main.ts;
// BENCH_SCALE_LIMIT_S caps the whole run (default: generous for seeding 100k registrations).
import { Http1Connection } from './http1';
import { closedLoop, type Call, type LoadResult } from './load';
import { benchSelected, benchSession } from './session';
import type { Workerd } from './workerd';

const SECONDS = Number(process.env.BENCH_SECONDS) || 5;
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS) || 4;
const LEVELS = (process.env.BENCH_SCALE_LEVELS ?? '1000,10000,100000').split(',').map(Number).filter((n) => n > 0).sort((a, b) => a - b);
const HEARTBEAT_CHECKS = 10_000;
/** The default of AGENT_SHARDS (durable-objects/shards/shard-of.ts); the bench does not set it. */
const SHARDS = 16;
/** Instances per service in the seeded catalog: `catalog/services` grows with the level, `health/service/probe` does not. */
const PER_SERVICE = 10;
/** Registrations in flight while seeding: the Datacenter commits concurrent writes together (group commit). */
const SEED_CONNECTIONS = 32;

type DcStats = { writes: number; requests: number; index: number };
type ShardStats = { requests: number; heartbeats: number; reports: number; checks: number };

const instance = (i: number) => ({ ID: `inst-${i}`, Name: `svc-${Math.floor(i / PER_SERVICE)}`, Port: 8080, Check: { TTL: '1h', Status: 'passing' } });

async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`bench scale: ${url} answered ${res.status}`);
  return (await res.json()) as T;
}

const dcStats = (server: Workerd) => getJson<DcStats>(`${server.urls.bench}/stats`);
const shardStats = (server: Workerd) => Promise.all([...Array(SHARDS).keys()].map((i) => getJson<ShardStats>(`${server.urls.bench}/shard-stats?shard=${i}`)));

/** Registers instances [from, to) over a few connections. */
async function seed(base: string, from: number, to: number): Promise<void> {
  let next = from;
  const worker = async () => {
    const conn = await Http1Connection.open(base);
    try {
      for (let i = next++; i < to; i = next++) {
        const reply = await conn.request('PUT', '/v1/agent/service/register', JSON.stringify(instance(i)));
        if (reply.status !== 200) throw new Error(`bench scale: register inst-${i} answered ${reply.status}: ${reply.body}`);
      }
    } finally {
      conn.close();
    }
  };
  await Promise.all(Array.from({ length: SEED_CONNECTIONS }, worker));
}

const measure = (server: Workerd, base: string, next: (i: number) => Call) =>
  closedLoop(base, next, { connections: CONNECTIONS, warmupMs: 1000, durationMs: SECONDS * 1000, serverPid: server.pid });

const randomBelow = (n: number) => Math.floor(Math.random() * n);
const heartbeat = (checks: number) => (): Call => ({ method: 'PUT', path: `/v1/agent/check/pass/service:inst-${randomBelow(checks)}` });

interface GrowthRow { level: number; register: LoadResult; heartbeat: LoadResult; health: LoadResult; services: LoadResult }

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
  console.log(`  bare DO round trip: ${Math.round(bare.rps)} req/s (p50 ${bare.p50Ms.toFixed(2)} ms) → heartbeat/bare = ${(result.rps / bare.rps).toFixed(2)}×`);
  console.log(`  Datacenter requests per heartbeat: ${((dcAfter.requests - dcBefore.requests) / result.total).toFixed(4)}, writes per heartbeat: ${((dcAfter.writes - dcBefore.writes) / result.total).toFixed(4)}`);
  console.log(`  shard heartbeats: min ${Math.min(...perShard)}, max ${worst}, fair share ${Math.round(fair)}; busiest shard at ${((worst / fair - 1) * 100).toFixed(1)}% over 1/N (goal ≤ 20%)`);
  console.log(`  checks per shard: ${shardsAfter.map((s) => s.checks).join(' ')}`);
}

async function growth(server: Workerd, level: number): Promise<GrowthRow> {
  const base = server.urls.beacon;
  const register = await measure(server, base, (i) => ({
    method: 'PUT', path: '/v1/agent/service/register',
    body: JSON.stringify({ ID: `probe-${i % 100}`, Name: 'probe', Port: 9090, Meta: { seq: String(i) }, Check: { TTL: '1h', Status: 'passing' } }),
  }));
  const beat = await measure(server, base, heartbeat(level));
  const health = await measure(server, base, () => ({ method: 'GET', path: '/v1/health/service/probe' }));
  const services = await measure(server, base, () => ({ method: 'GET', path: '/v1/catalog/services' }));
  const row = { level, register, heartbeat: beat, health, services };
  console.log(`  ${level.toLocaleString('en')} instances: ${cells(row).join(' | ')}`);
  return row;
}

const cell = (r: LoadResult) => `${Math.round(r.rps)} req/s, p50 ${r.p50Ms.toFixed(2)} ms`;
const cells = (r: GrowthRow) => [r.register, r.heartbeat, r.health, r.services].map(cell);

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
      console.log(`  seeded ${(n - seeded).toLocaleString('en')} instances in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      seeded = n;
    };
    console.log(`\nB. cost with N instances registered (${PER_SERVICE} per service): register (100 IDs, changed) | heartbeat | health/service/probe | catalog/services`);
    for (const level of LEVELS) {
      await seedTo(level);
      rows.push(await growth(server, level));
      if (level === HEARTBEAT_CHECKS) await heartbeatsAtScale(server);
    }
    if (!LEVELS.includes(HEARTBEAT_CHECKS)) {
      await seedTo(Math.max(seeded, HEARTBEAT_CHECKS));
      await heartbeatsAtScale(server);
    }
    console.log('\nB. growth (req/s at each level, relative to the smallest):');
    const first = rows[0];
    for (const key of ['register', 'heartbeat', 'health', 'services'] as const) {
      console.log(`  ${key}: ${rows.map((r) => `${r.level}: ${(r[key].rps / first[key].rps).toFixed(2)}×`).join(', ')}`);
    }
  });
}

await main();
