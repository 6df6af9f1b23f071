// `npm run bench` (second part): what `?dc=` costs over a local read, and what one prepared-query failover
// costs over a local answer, in plain `workerd serve` with three datacenters. Local and remote runs
// alternate (ROUNDS pairs) so drift on the noisy machine hits both; the median pair is reported.
// Rewrites BENCHMARKS.md between its own markers.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LOCAL_FEDERATION, PROJECT_ROOT } from '../start-local';
import { Http1Connection } from './http1';
import { closedLoop, type Call, type LoadResult } from './load';
import { benchSelected, benchSession } from './session';
import { VARS, workerdVersion, type Workerd } from './workerd';

const SECONDS = Number(process.env.BENCH_SECONDS) || 5;
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS) || 4;
const ROUNDS = 3;
const INSTANCES = 10;
const [BEGIN, END] = ['<!-- bench-federation:begin -->', '<!-- bench-federation:end -->'];

interface Pair { title: string; local: LoadResult; remote: LoadResult }

const get = (path: string) => (): Call => ({ method: 'GET', path });

async function seed(base: string): Promise<void> {
  const conn = await Http1Connection.open(base);
  const send = async (method: string, path: string, body?: unknown) => {
    const reply = await conn.request(method, path, body === undefined ? undefined : JSON.stringify(body));
    if (reply.status !== 200) throw new Error(`bench: ${method} ${path} answered ${reply.status}: ${reply.body}`);
  };
  try {
    for (const dc of ['dc1', 'dc2']) {
      for (let i = 0; i < INSTANCES; i++) {
        await send('PUT', `/v1/agent/service/register?dc=${dc}`, { ID: `web-${i}`, Name: 'web', Port: 8080, Check: { TTL: '10m', Status: 'passing' } });
        // `down` has instances everywhere, critical in dc1: its query always fails over to dc2.
        await send('PUT', `/v1/agent/service/register?dc=${dc}`, { ID: `down-${i}`, Name: 'down', Port: 8080, Check: { TTL: '10m', Status: dc === 'dc1' ? 'critical' : 'passing' } });
      }
    }
    await send('POST', '/v1/query', { Name: 'web', Service: { Service: 'web', Failover: { NearestN: 1 } } });
    await send('POST', '/v1/query', { Name: 'down', Service: { Service: 'down', Failover: { NearestN: 1 } } });
  } finally {
    conn.close();
  }
}

async function pair(server: Workerd, title: string, local: () => Call, remote: () => Call): Promise<Pair> {
  const run = (next: () => Call) =>
    closedLoop(server.urls.beacon, next, { connections: CONNECTIONS, warmupMs: 1000, durationMs: SECONDS * 1000, serverPid: server.pid });
  const pairs: Pair[] = [];
  for (let i = 0; i < ROUNDS; i++) pairs.push({ title, local: await run(local), remote: await run(remote) });
  pairs.sort((a, b) => a.remote.p50Ms / a.local.p50Ms - b.remote.p50Ms / b.local.p50Ms);
  const median = pairs[Math.floor(ROUNDS / 2)];
  console.log(`  ${title}: local p50 ${median.local.p50Ms.toFixed(2)} ms, remote p50 ${median.remote.p50Ms.toFixed(2)} ms`);
  return median;
}

const ms = (n: number) => n.toFixed(2);
const pct = (n: number) => `${Math.round(n * 100)}%`;

function section(rows: Pair[], version: string): string {
  const lines = rows.map(({ title, local, remote }) =>
    `| ${title} | ${Math.round(local.rps)} | ${Math.round(remote.rps)} | ${ms(local.p50Ms)} / ${ms(local.p99Ms)} | ${ms(remote.p50Ms)} / ${ms(remote.p99Ms)} | ` +
    `**${(remote.p50Ms / local.p50Ms).toFixed(2)}×** | ${pct(remote.rps / local.rps)} | ${Math.round(local.serverCpuUs)} / ${Math.round(remote.serverCpuUs)} | ${local.errors + remote.errors} |`);
  return [
    BEGIN,
    `Command: \`npm run bench\` (scripts/bench/federation.ts) · run ${new Date().toISOString().replace(/\.\d+Z$/, 'Z')} · ${version}`,
    '',
    `Settings: datacenters dc1..dc3 (scripts/local-federation.json) in one \`workerd serve\`; ${INSTANCES} passing instances of \`web\` in dc1 and dc2; ` +
      `${CONNECTIONS} connections, 1 s warm-up + ${SECONDS} s window, local and remote alternated ${ROUNDS} times, the median pair (by latency ratio) shown.`,
    '',
    '| read | local req/s | remote req/s | local p50 / p99 ms | remote p50 / p99 ms | remote ÷ local p50 latency | remote ÷ local req/s | workerd CPU µs/req local / remote | errors |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...lines,
    END,
  ].join('\n');
}

async function main(): Promise<void> {
  if (!benchSelected('federation')) return;
  await benchSession('federation', 60_000 + SECONDS * 1000 * ROUNDS * 6 * 2, async ({ server }) => {
    await seed(server.urls.beacon);
    const rows = [
      await pair(server, 'GET /v1/health/service/web vs ?dc=dc2', get('/v1/health/service/web'), get('/v1/health/service/web?dc=dc2')),
      await pair(server, 'GET /v1/catalog/services vs ?dc=dc2', get('/v1/catalog/services'), get('/v1/catalog/services?dc=dc2')),
      await pair(server, 'prepared query: local answer vs one failover to dc2', get('/v1/query/web/execute'), get('/v1/query/down/execute')),
    ];
    const path = join(PROJECT_ROOT, 'BENCHMARKS.md');
    const current = await readFile(path, 'utf8');
    const [start, end] = [current.indexOf(BEGIN), current.indexOf(END)];
    const text = section(rows, await workerdVersion());
    await writeFile(path, start >= 0 && end > start ? current.slice(0, start) + text + current.slice(end + END.length) : `${current.trimEnd()}\n\n## Federation\n\n${text}\n`);
    console.log('Wrote the federation section of BENCHMARKS.md.');
  }, { ...VARS, FEDERATION: LOCAL_FEDERATION });
}

await main();
