// Part B of `npm run bench:scale`: how the cost of register / heartbeat / health/service / catalog/services
// grows with the instances registered. Per level and operation: req/s, workerd CPU µs per request, the
// Datacenter's requests and writes per request (what the object did for it) and, before the operations,
// workerd's idle CPU (background work that grows with the catalog shows there). Each operation runs
// BENCH_SCALE_ROUNDS short rounds (default 3) and keeps the least disturbed. The verdict compares the CPU
// per request at each level with the smallest level's: flat, sub-linear, linear or worse.
import { Http1Connection } from './http1';
import { closedLoop, cpuMicros, type Call, type LoadResult } from './load';
import type { Workerd } from './workerd';

const SECONDS = Number(process.env.BENCH_SECONDS) || 5;
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS) || 4;
/**
 * Service names in the seeded catalog: fixed, so `catalog/services` (an answer about services and tags) is
 * the same answer at every level and only the instances behind it grow; `health/service/probe` (100
 * instances of its own) is a small service among them.
 */
const SERVICES = 1000;
/** Registrations in flight while seeding: the Datacenter commits concurrent writes together (group commit). */
const SEED_CONNECTIONS = Number(process.env.BENCH_SEED_CONNECTIONS) || 48;

export type DcStats = { writes: number; requests: number; index: number };
export const dcStats = async (server: Workerd): Promise<DcStats> => {
  const res = await fetch(`${server.urls.bench}/stats`);
  if (!res.ok) throw new Error(`bench scale: /stats answered ${res.status}`);
  return (await res.json()) as DcStats;
};

export const instance = (i: number) => ({ ID: `inst-${i}`, Name: `svc-${i % SERVICES}`, Tags: [`t${(i % SERVICES) % 7}`], Port: 8080, Check: { TTL: '1h', Status: 'passing' } });
const randomBelow = (n: number) => Math.floor(Math.random() * n);
export const heartbeat = (checks: number) => (): Call => ({ method: 'PUT', path: `/v1/agent/check/pass/service:inst-${randomBelow(checks)}` });

/** Registers instances [from, to) over SEED_CONNECTIONS connections, through the agent API as a fleet would. */
export async function seed(base: string, from: number, to: number): Promise<void> {
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

interface OpResult { load: LoadResult; dcRequests: number; dcWrites: number }
const OPS = ['register', 'heartbeat', 'health', 'services'] as const;
type Op = (typeof OPS)[number];
export interface GrowthRow { level: number; idleCpuMsPerS: number; ops: Record<Op, OpResult> }

const LABELS: Record<Op, string> = {
  register: 'PUT /v1/agent/service/register (100 probe IDs, changed each time)',
  heartbeat: 'PUT /v1/agent/check/pass (random one of the N, unchanged)',
  health: 'GET /v1/health/service/probe (100 of the N)',
  services: `GET /v1/catalog/services (${SERVICES} services, same answer at every level)`,
};

/** Short rounds per operation; the one with the least CPU per request is kept (the least disturbed by neighbours). */
const ROUNDS = Number(process.env.BENCH_SCALE_ROUNDS) || 3;

async function measureRound(server: Workerd, next: (i: number) => Call): Promise<OpResult> {
  const before = await dcStats(server);
  const load = await closedLoop(server.urls.beacon, next, { connections: CONNECTIONS, warmupMs: 1000, durationMs: SECONDS * 1000, serverPid: server.pid });
  const after = await dcStats(server);
  return { load, dcRequests: (after.requests - before.requests) / load.total, dcWrites: (after.writes - before.writes) / load.total };
}

async function measureOp(server: Workerd, next: (i: number) => Call): Promise<OpResult> {
  const rounds: OpResult[] = [];
  for (let i = 0; i < ROUNDS; i++) rounds.push(await measureRound(server, next));
  return rounds.reduce((best, r) => (r.load.serverCpuUs < best.load.serverCpuUs ? r : best));
}

/** workerd's CPU while nothing is sent, ms per s: work left over from seeding, or work that grows with N. */
async function idleCpu(server: Workerd): Promise<number> {
  await new Promise((r) => setTimeout(r, 1000));
  const start = cpuMicros(server.pid);
  await new Promise((r) => setTimeout(r, 2000));
  return (cpuMicros(server.pid) - start) / 1000 / 2;
}

export async function growth(server: Workerd, level: number): Promise<GrowthRow> {
  const idleCpuMsPerS = await idleCpu(server);
  const ops = {
    register: await measureOp(server, (i) => ({
      method: 'PUT', path: '/v1/agent/service/register',
      body: JSON.stringify({ ID: `probe-${i % 100}`, Name: 'probe', Port: 9090, Meta: { seq: String(i) }, Check: { TTL: '1h', Status: 'passing' } }),
    })),
    heartbeat: await measureOp(server, heartbeat(level)),
    health: await measureOp(server, () => ({ method: 'GET', path: '/v1/health/service/probe' })),
    services: await measureOp(server, () => ({ method: 'GET', path: '/v1/catalog/services' })),
  };
  console.log(`  ${level.toLocaleString('en')} instances (idle workerd CPU ${idleCpuMsPerS.toFixed(0)} ms/s):`);
  for (const op of OPS) console.log(`    ${op}: ${cell(ops[op])}`);
  return { level, idleCpuMsPerS, ops };
}

const cell = ({ load, dcRequests, dcWrites }: OpResult) =>
  `${Math.round(load.rps)} req/s, ${Math.round(load.serverCpuUs)} µs CPU/req, p50 ${load.p50Ms.toFixed(2)} ms, p99 ${load.p99Ms.toFixed(2)} ms, ` +
  `Datacenter ${dcRequests.toFixed(2)} req + ${dcWrites.toFixed(2)} writes per request, errors ${load.errors}`;

/**
 * The growth exponent k in cost ∝ N^k between the smallest and the largest level, from CPU per request
 * (steadier than req/s on a shared machine): under 0.1 flat, under 0.7 sub-linear, under 1.2 linear, else worse.
 */
export function verdict(rows: GrowthRow[], op: Op): { k: number; word: string } {
  const [first, last] = [rows[0], rows.at(-1)!];
  const k = Math.log(last.ops[op].load.serverCpuUs / first.ops[op].load.serverCpuUs) / Math.log(last.level / first.level);
  const word = k < 0.1 ? 'flat' : k < 0.7 ? 'sub-linear' : k < 1.2 ? 'linear' : 'worse than linear';
  return { k, word };
}

/** The growth table, as Markdown: each level's req/s and CPU µs, the ratio to the smallest level, the verdict. */
export function printGrowth(rows: GrowthRow[]): void {
  const levels = rows.map((r) => r.level.toLocaleString('en'));
  console.log(`\nB. how cost grows (${rows.map((r) => r.level).join(' / ')} instances; best of ${ROUNDS} rounds of ${SECONDS} s; ratio = CPU µs per request ÷ the ${levels[0]} level's)\n`);
  console.log(`| operation | ${levels.map((l) => `${l}: req/s · µs/req · ratio`).join(' | ')} | verdict (cost ∝ Nᵏ) | goal |`);
  console.log(`| --- | ${levels.map(() => '---:').join(' | ')} | --- | --- |`);
  for (const op of OPS) {
    const base = rows[0].ops[op].load.serverCpuUs;
    const cells = rows.map((r) => `${Math.round(r.ops[op].load.rps)} · ${Math.round(r.ops[op].load.serverCpuUs)} · ${(r.ops[op].load.serverCpuUs / base).toFixed(2)}×`);
    const { k, word } = rows.length > 1 ? verdict(rows, op) : { k: NaN, word: 'one level only' };
    const met = k < 0.1 ? '✅ MET (flat)' : '❌ MISSED (flat)';
    console.log(`| ${LABELS[op]} | ${cells.join(' | ')} | ${word}, k = ${k.toFixed(2)} | ${rows.length > 1 ? met : '—'} |`);
  }
  console.log(`| idle workerd CPU, ms/s | ${rows.map((r) => r.idleCpuMsPerS.toFixed(0)).join(' | ')} | | |`);
}
