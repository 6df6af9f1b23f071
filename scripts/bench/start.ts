// `npm run bench:start` (part of `npm run bench`; BENCH_ONLY=start alone): `npm start`'s own runtime
// (startLocal: plain workerd, three datacenters, state on disk as under .beacon/state) against the bench's
// workerd, same load, alternating in each round. Prints KV put, KV get and TTL pass as in-round ratios
// start/bench, min/median/max over the rounds (goal ≥ 0.9×), and CPU per request: workerd's, and the path
// guard's (its own process, which the bench runtime does not have). BENCH_SECONDS: window per measurement (5).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startLocal } from '../start-local';
import { closedLoop, cpuMicros } from './load';
import { SCENARIOS, seed } from './scenarios';
import { benchSelected, benchSession } from './session';

const SECONDS = Number(process.env.BENCH_SECONDS) || 5;
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS) || 4;
const ROUNDS = Number(process.env.BENCH_ROUNDS) || 3;
const KEYS = ['kv-put', 'kv-get', 'ttl-pass'];
const GOAL = 0.9;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (x: number) => `${x.toFixed(2)}×`;

async function main(): Promise<void> {
  if (!benchSelected('start')) return;
  await benchSession('start', 120_000 + ROUNDS * KEYS.length * 2 * (SECONDS + 1) * 1000 * 3, async ({ server, defer }) => {
    const persistTo = await mkdtemp(join(tmpdir(), 'beacon-bench-start-state-'));
    console.log('bench start: starting npm start\'s runtime (startLocal)…');
    const start = await startLocal({ port: await freePort(), persistTo, quiet: true });
    defer(async () => {
      await start.stop();
      await rm(persistTo, { recursive: true, force: true });
    });
    await seed(server.urls.beacon);
    await seed(start.url);
    const targets = [
      { name: 'bench', url: server.urls.beacon, pid: server.pid },
      { name: 'start', url: start.url, pid: start.process.pid! },
    ];
    const lines: string[] = [];
    for (const key of KEYS) {
      const scenario = SCENARIOS.find((s) => s.key === key)!;
      const ratios: number[] = [];
      const cpu: number[] = [];
      const guardUs: number[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        const rps: Record<string, number> = {};
        const us: Record<string, number> = {};
        // Alternate which goes first, so neither always runs on the warmer machine.
        for (const t of round % 2 ? [...targets].reverse() : targets) {
          const guard0 = t.name === 'start' && start.guardPid ? cpuMicros(start.guardPid) : 0;
          const r = await closedLoop(t.url, scenario.next, { connections: CONNECTIONS, warmupMs: 1000, durationMs: SECONDS * 1000, serverPid: t.pid });
          if (r.errors) console.warn(`  ! ${r.errors} errors from ${t.name} ${key}`);
          rps[t.name] = r.rps;
          us[t.name] = r.serverCpuUs;
          if (guard0) guardUs.push((cpuMicros(start.guardPid!) - guard0) / r.total);
        }
        ratios.push(rps.start / rps.bench);
        cpu.push(us.start / us.bench);
        console.log(`  ${key} round ${round + 1}: start ${Math.round(rps.start)} req/s, bench ${Math.round(rps.bench)} req/s → ${fmt(rps.start / rps.bench)}`);
      }
      const verdict = median(ratios) >= GOAL ? 'MET' : 'MISSED';
      const guard = guardUs.length ? `${Math.round(median(guardUs))} µs` : 'n/a';
      lines.push(`| ${scenario.title} | ${fmt(Math.min(...ratios))} / ${fmt(median(ratios))} / ${fmt(Math.max(...ratios))} | ${fmt(median(cpu))} | ${guard} | ${verdict} |`);
    }
    console.log(`\nnpm start vs the bench runtime, ${CONNECTIONS} connections, ${ROUNDS} rounds of ${SECONDS} s (goal ≥ ${GOAL}×)\n`);
    console.log('| Scenario | start/bench req/s, min / median / max | start/bench workerd CPU per request (median) | path guard CPU per request (median) | Goal |');
    console.log('|---|---|---|---|---|');
    for (const line of lines) console.log(line);
  });
}

await main();
