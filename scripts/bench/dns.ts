// `npm run bench:dns`: the DNS gateway (dns-gateway/main.ts, in one process and in two) in front of Beacon under
// plain `workerd serve`, measured with dnsperf from a warm cache as a ratio to dnsmasq serving the same names as
// static records in the same round (and beside a bare Node UDP echo server, Node's own floor); then the time from a deregistration to DNS no longer answering it, in each.
// Rewrites its section of BENCHMARKS.md. Needs `dnsperf` and `dnsmasq` (Debian packages).
// BENCH_DNS_SECONDS: window per run (10); BENCH_DNS_ROUNDS: rounds (3).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { encodeQuery, udpAsk, udpExchange } from '../../dns-gateway/test-client';
import { freePort } from '../../test/e2e/global-setup';
import { PROJECT_ROOT } from '../start-local';
import { dnsperf, type PerfResult } from './dnsperf';
import { verdicts, writeDnsSection, type DnsRun } from './dns-report';
import { benchSelected, benchSession } from './session';
import { stopProcess } from './workerd';

const SECONDS = Number(process.env.BENCH_DNS_SECONDS) || 10;
const ROUNDS = Number(process.env.BENCH_DNS_ROUNDS) || 3;
/** The gateway configurations measured (BEACON_DNS_PROCESSES); the first is the default. */
const GATEWAYS = [
  { name: 'gateway ×1', processes: 1 },
  { name: 'gateway ×2', processes: 2 },
] as const;
const DEREGISTRATIONS = 10;
const STEADY = 20;
/** A bare Node UDP server (udp-echo.ts): Node's own floor, beside dnsmasq's. */
const NODE_ECHO = 'node echo';
const INSTANCES = [1, 2, 3].map((i) => ({ id: `web-${i}`, node: `n${i}`, address: `10.0.0.${i}`, port: 8080 + i }));
const QUERIES = ['web.service.consul A', 'db.service.consul A', '_web._tcp.service.consul SRV', 'n1.node.consul A', 'nosuch.service.consul A'];

async function put(base: string, path: string, body: unknown): Promise<void> {
  const res = await fetch(`${base}${path}`, { method: 'PUT', body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`bench: PUT ${path} → ${res.status} ${await res.text()}`);
}

async function seed(base: string): Promise<void> {
  for (const i of INSTANCES) await put(base, '/v1/catalog/register', { Node: i.node, Address: i.address, Service: { ID: i.id, Service: 'web', Port: i.port } });
  await put(base, '/v1/catalog/register', { Node: 'n4', Address: '10.0.0.4', Service: { ID: 'db-1', Service: 'db', Port: 5432 } });
}

/** The same names as static records: dnsmasq answers them from memory (its upper bound on this machine). */
function dnsmasqArgs(port: number): string[] {
  return [
    '--no-daemon', `--port=${port}`, '--listen-address=127.0.0.1', '--bind-interfaces', '--no-resolv', '--no-hosts',
    '--conf-file=/dev/null', '--pid-file', '--user=root', '--log-facility=/dev/null', '--local=/consul/',
    ...INSTANCES.map((i) => `--host-record=web.service.consul,${i.address}`),
    ...INSTANCES.map((i) => `--host-record=${i.node}.node.dc1.consul,${i.address}`),
    ...INSTANCES.map((i) => `--srv-host=_web._tcp.service.consul,${i.node}.node.dc1.consul,${i.port},1,1`),
    '--host-record=db.service.consul,10.0.0.4', '--host-record=n1.node.consul,10.0.0.1',
  ];
}

/** The echo server answers once it is bound. */
async function echoing(port: number): Promise<void> {
  for (const deadline = Date.now() + 20_000; Date.now() < deadline; await sleep(100)) if (await udpExchange(port, encodeQuery('echo.consul', 'A'), 500)) return;
  throw new Error(`bench: nothing echoes on 127.0.0.1:${port}`);
}

async function answering(port: number, name: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const reply = await udpAsk(port, name, 'A').catch(() => undefined);
    if (reply?.rcode === 'NOERROR' && reply.answer.length) return;
    await sleep(100);
  }
  throw new Error(`bench: nothing answers ${name} on 127.0.0.1:${port}`);
}

/**
 * Deregistration → the gateway no longer answering with the instance, its cache included: the time of the
 * first NXDOMAIN after which STEADY more in a row are NXDOMAIN too (with several processes, a stale one shows
 * up as an answer among them, and moves the time to after it).
 */
async function deregistrationDelays(base: string, port: number): Promise<number[]> {
  const delays: number[] = [];
  const ask = () => udpAsk(port, 'gone.service.consul', 'A');
  for (let i = 0; i < DEREGISTRATIONS; i++) {
    await put(base, '/v1/catalog/register', { Node: 'gone-node', Address: '10.0.9.9', Service: { ID: 'gone-1', Service: 'gone', Port: 1 } });
    while ((await ask()).rcode !== 'NOERROR') await sleep(5);
    // Keep the answer hot in the cache, as a busy client would, then deregister at a random point in its life.
    for (let j = 0; j < 5 + Math.floor(Math.random() * 20); j++) await ask(), await sleep(10);
    const t0 = performance.now();
    await put(base, '/v1/catalog/deregister', { Node: 'gone-node', ServiceID: 'gone-1' });
    let gone = 0;
    for (let steady = 0; steady < STEADY; await sleep(2)) {
      const nxdomain = (await ask()).rcode === 'NXDOMAIN';
      if (nxdomain && steady === 0) gone = performance.now();
      steady = nxdomain ? steady + 1 : 0;
    }
    delays.push(gone - t0);
  }
  return delays;
}

/** Fails before anything starts when a Debian tool the run needs is missing. */
function requireCommands(...names: string[]): void {
  const missing = names.filter((name) => {
    try {
      execFileSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' });
      return false;
    } catch {
      return true;
    }
  });
  if (missing.length) throw new Error(`bench dns: needs ${missing.join(' and ')} (apt-get install -y ${missing.join(' ')})`);
}

/** Resolves once `child` runs; a spawn failure rejects, so the session stops what it started. */
const started = (child: ChildProcess) =>
  new Promise<ChildProcess>((resolve, reject) => {
    child.once('spawn', () => resolve(child));
    child.once('error', reject);
  });

async function main(): Promise<void> {
  if (!benchSelected('dns')) return;
  requireCommands('dnsperf', 'dnsmasq');
  await benchSession('dns', 180_000 + SECONDS * 1000 * ROUNDS * 5, async ({ server, dir, defer }) => {
    await seed(server.urls.beacon);
    const dnsmasqPort = await freePort();
    const servers: { name: string; port: number; pid: number }[] = [];
    const dnsmasq = spawn('dnsmasq', dnsmasqArgs(dnsmasqPort), { stdio: 'ignore' });
    defer(() => stopProcess(dnsmasq));
    servers.push({ name: 'dnsmasq', port: dnsmasqPort, pid: (await started(dnsmasq)).pid! });
    const echoPort = await freePort();
    const echo = spawn(process.execPath, ['--import', 'tsx', join(PROJECT_ROOT, 'scripts', 'bench', 'udp-echo.ts'), String(echoPort)], { cwd: PROJECT_ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
    defer(() => stopProcess(echo));
    servers.push({ name: NODE_ECHO, port: echoPort, pid: (await started(echo)).pid! });
    for (const { name, processes } of GATEWAYS) {
      const port = await freePort();
      const gateway = spawn(process.execPath, ['--import', 'tsx', join(PROJECT_ROOT, 'dns-gateway', 'main.ts')], {
        cwd: PROJECT_ROOT, stdio: ['ignore', 'ignore', 'inherit'],
        env: { ...process.env, BEACON_DNS_PORT: String(port), BEACON_DNS_WORKER_URL: server.urls.beacon, BEACON_DNS_PROCESSES: String(processes) },
      });
      defer(() => stopProcess(gateway));
      servers.push({ name, port, pid: (await started(gateway)).pid! });
    }
    await Promise.all(servers.map((s) => (s.name === NODE_ECHO ? echoing(s.port) : answering(s.port, 'web.service.consul'))));
    const queryFile = join(dir, 'queries.txt');
    await writeFile(queryFile, QUERIES.join('\n') + '\n');
    console.log(`gateway answers: ${(await udpAsk(servers[2].port, 'web.service.consul', 'A')).answer.join(' | ')}`);
    const runs: Record<string, PerfResult[]> = Object.fromEntries(servers.map((s) => [s.name, []]));
    for (let round = 0; round < ROUNDS; round++) {
      // Each round in another order, so no server always runs first (or last) as the machine's load drifts.
      for (const { name, port, pid } of servers.map((_, i) => servers[(i + round) % servers.length])) {
        const result = await dnsperf(queryFile, port, SECONDS, pid);
        runs[name].push(result);
        console.log(`  round ${round + 1} ${name}: ${Math.round(result.qps)} q/s, ${result.cpuUsPerQuery.toFixed(1)} µs CPU/query, lost ${result.lost}, ${result.rcodes}`);
      }
      for (const name of [NODE_ECHO, ...GATEWAYS.map((g) => g.name)]) console.log(`  round ${round + 1} ${name} / dnsmasq: ${(runs[name][round].qps / runs.dnsmasq[round].qps).toFixed(2)}`);
    }
    const delays: Record<string, number[]> = {};
    for (const { name, port } of servers.slice(2)) {
      delays[name] = await deregistrationDelays(server.urls.beacon, port);
      console.log(`  ${name} deregistration → NXDOMAIN: ${delays[name].map((d) => Math.round(d)).join(', ')} ms`);
    }
    const run: DnsRun = {
      date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
      machine: `${availableParallelism()} cores (nproc), ${cpus()[0]?.model.trim() ?? 'unknown CPU'}; Node ${process.version}; load average ${loadavg().map((l) => l.toFixed(1)).join(' ')} at the end`,
      seconds: SECONDS, queries: QUERIES, gateways: GATEWAYS.map((g) => g.name), floor: NODE_ECHO, runs, delays,
    };
    for (const line of verdicts(run)) console.log(line);
    await writeDnsSection(join(PROJECT_ROOT, 'BENCHMARKS.md'), run);
    console.log('Wrote the DNS section of BENCHMARKS.md.');
  });
}

await main();
