// `npm run bench:etcd` (part of `npm run bench`; BENCH_ONLY=etcd alone): Debian's etcd (`etcd-server`,
// one member on loopback, a temp data dir) beside Beacon under the bench's workerd, the same closed-loop
// load against etcd's v3 JSON gateway and Beacon's HTTP API: KV put and KV get at 4 and 16 connections,
// and Beacon's 1-instance `health/service` against the same etcd range. etcd's range is linearizable
// (its default); so are Beacon's reads. Per round the two run back to back (alternating which goes first)
// and the ratio Beacon/etcd is taken; printed as min/median/max over BENCH_ROUNDS (≥ 3) rounds.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '../start-local';
import { stopProcess } from '../workerd-runtime';
import { closedLoop, type Call, type LoadResult } from './load';
import { seed } from './scenarios';
import { benchSelected, benchSession } from './session';

const SECONDS = Number(process.env.BENCH_SECONDS) || 5;
const ROUNDS = Math.max(3, Number(process.env.BENCH_ROUNDS) || 3);
const CONNECTIONS = [4, 16];
const KEYS = 1000;
const ETCD_BIN = process.env.ETCD_BIN ?? '/usr/bin/etcd';
const GOAL = 1;

const b64 = (s: string) => Buffer.from(s).toString('base64');
/** Keys and bodies built once, so neither side pays for building them in the loop. */
const etcdKeys = Array.from({ length: KEYS }, (_, i) => b64(`bench/${i}`));
const value = (i: number) => `${String(i).padStart(8, '0')}${'v'.repeat(56)}`;
const etcdRange = etcdKeys.map((key) => JSON.stringify({ key }));

interface Case {
  key: string;
  title: string;
  etcd: (i: number) => Call;
  beacon: (i: number) => Call;
}

const CASES: Case[] = [
  {
    key: 'put',
    title: `KV put, a new 64-byte value each time (${KEYS} keys)`,
    etcd: (i) => ({ method: 'POST', path: '/v3/kv/put', body: `{"key":"${etcdKeys[i % KEYS]}","value":"${b64(value(i))}"}` }),
    beacon: (i) => ({ method: 'PUT', path: `/v1/kv/bench/${i % KEYS}`, body: value(i) }),
  },
  {
    key: 'get',
    title: `KV get (${KEYS} keys; etcd: linearizable range)`,
    etcd: (i) => ({ method: 'POST', path: '/v3/kv/range', body: etcdRange[i % KEYS] }),
    beacon: (i) => ({ method: 'GET', path: `/v1/kv/bench/${i % KEYS}` }),
  },
  {
    key: 'health-1',
    title: 'Beacon GET /v1/health/service/watched (1 instance) vs etcd linearizable range',
    etcd: (i) => ({ method: 'POST', path: '/v3/kv/range', body: etcdRange[i % KEYS] }),
    beacon: () => ({ method: 'GET', path: '/v1/health/service/watched' }),
  },
];

interface Etcd {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

async function startEtcd(): Promise<Etcd> {
  const dir = await mkdtemp(join(tmpdir(), 'beacon-bench-etcd-'));
  const client = `http://127.0.0.1:${await freePort()}`;
  const peer = `http://127.0.0.1:${await freePort()}`;
  const child = spawn(ETCD_BIN, [
    '--name', 'bench', '--data-dir', join(dir, 'data'),
    '--listen-client-urls', client, '--advertise-client-urls', client,
    '--listen-peer-urls', peer, '--initial-advertise-peer-urls', peer,
    '--initial-cluster', `bench=${peer}`, '--log-level', 'error',
  ], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr!.on('data', (chunk: Buffer) => void (log = (log + chunk.toString()).slice(-4000)));
  const stop = async () => {
    await stopProcess(child);
    await rm(dir, { recursive: true, force: true });
  };
  for (let tries = 0; ; tries++) {
    if (child.exitCode !== null) throw new Error(`bench etcd: etcd exited (${child.exitCode}): ${log}`);
    const ok = await fetch(`${client}/health`).then((r) => r.ok, () => false);
    if (ok) break;
    if (tries > 200) {
      await stop();
      throw new Error(`bench etcd: etcd not healthy after 20 s: ${log}`);
    }
    await sleep(100);
  }
  return { url: client, child, stop };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (x: number) => `${x.toFixed(2)}×`;

async function main(): Promise<void> {
  if (!benchSelected('etcd')) return;
  const limit = 120_000 + ROUNDS * CASES.length * CONNECTIONS.length * 2 * (SECONDS + 1) * 1000 * 3;
  await benchSession('etcd', limit, async ({ server, defer }) => {
    const etcd = await startEtcd();
    defer(etcd.stop);
    console.log(`bench etcd: etcd running (pid ${etcd.child.pid}, ${etcd.url})`);
    await seed(server.urls.beacon);
    for (let i = 0; i < KEYS; i++) {
      const res = await fetch(`${etcd.url}/v3/kv/put`, { method: 'POST', body: JSON.stringify({ key: etcdKeys[i], value: b64('seed') }) });
      if (!res.ok) throw new Error(`bench etcd: seeding etcd answered ${res.status}: ${await res.text()}`);
    }
    const targets = [
      { name: 'beacon', url: server.urls.beacon, pid: server.pid },
      { name: 'etcd', url: etcd.url, pid: etcd.child.pid! },
    ] as const;
    const lines: string[] = [];
    for (const c of CASES) {
      for (const connections of CONNECTIONS) {
        const ratios: number[] = [];
        const cpu: number[] = [];
        const rates: Record<string, number[]> = { beacon: [], etcd: [] };
        for (let round = 0; round < ROUNDS; round++) {
          const got: Record<string, LoadResult> = {};
          for (const t of round % 2 ? [...targets].reverse() : targets) {
            const next = t.name === 'etcd' ? c.etcd : c.beacon;
            const r = await closedLoop(t.url, next, { connections, warmupMs: 1000, durationMs: SECONDS * 1000, serverPid: t.pid });
            if (r.errors) console.warn(`  ! ${r.errors} errors from ${t.name} ${c.key}`);
            got[t.name] = r;
            rates[t.name].push(r.rps);
          }
          ratios.push(got.beacon.rps / got.etcd.rps);
          cpu.push(got.beacon.serverCpuUs / got.etcd.serverCpuUs);
          console.log(`  ${c.key} ×${connections} round ${round + 1}: beacon ${Math.round(got.beacon.rps)} req/s (${Math.round(got.beacon.serverCpuUs)} µs CPU), etcd ${Math.round(got.etcd.rps)} req/s (${Math.round(got.etcd.serverCpuUs)} µs CPU) → ${fmt(ratios.at(-1)!)}`);
        }
        const verdict = median(ratios) >= GOAL ? 'met' : 'MISSED';
        lines.push(`| ${c.title} | ${connections} | ${Math.round(median(rates.beacon))} | ${Math.round(median(rates.etcd))} | ${fmt(Math.min(...ratios))} / ${fmt(median(ratios))} / ${fmt(Math.max(...ratios))} | ${fmt(median(cpu))} | ${verdict} |`);
      }
    }
    console.log(`\nBeacon vs etcd ${ETCD_BIN} (v3 JSON gateway), ${ROUNDS} rounds of ${SECONDS} s, ${new Date().toISOString()} (goal ≥ ${GOAL}×)\n`);
    console.log('| Scenario | Connections | Beacon req/s (median) | etcd req/s (median) | Beacon/etcd req/s, min / median / max | Beacon/etcd CPU per request (median) | Goal |');
    console.log('|---|---|---|---|---|---|---|');
    for (const line of lines) console.log(line);
  });
}

await main();
