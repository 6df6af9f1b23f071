// `npm run bench:dns`: the DNS gateway (its own Node process) in front of Beacon under plain `workerd serve`,
// measured with dnsperf from a warm cache as a ratio to dnsmasq serving the same names as static records in
// the same run; then the time from a deregistration to DNS no longer answering it. Rewrites its section of
// BENCHMARKS.md. Needs `dnsperf` and `dnsmasq` (Debian packages). BENCH_DNS_SECONDS: window per run (10).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { availableParallelism, cpus } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { udpAsk } from '../../dns-gateway/test-client';
import { freePort } from '../../test/e2e/global-setup';
import { PROJECT_ROOT } from '../start-local';
import { dnsperf, type PerfResult } from './dnsperf';
import { writeDnsSection } from './dns-report';
import { benchSelected, benchSession } from './session';
import { stopProcess } from './workerd';

const SECONDS = Number(process.env.BENCH_DNS_SECONDS) || 10;
const ROUNDS = 2;
const DEREGISTRATIONS = 10;
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

async function answering(port: number, name: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const reply = await udpAsk(port, name, 'A').catch(() => undefined);
    if (reply?.rcode === 'NOERROR' && reply.answer.length) return;
    await sleep(100);
  }
  throw new Error(`bench: nothing answers ${name} on 127.0.0.1:${port}`);
}

/** Deregistration → the first UDP answer without the instance; the gateway's cache included. */
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
    while ((await ask()).rcode !== 'NXDOMAIN') await sleep(2);
    delays.push(performance.now() - t0);
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
  await benchSession('dns', 120_000 + SECONDS * 1000 * ROUNDS * 4, async ({ server, dir, defer }) => {
    await seed(server.urls.beacon);
    const [gatewayPort, dnsmasqPort] = [await freePort(), await freePort()];
    const gateway = spawn(process.execPath, ['--import', 'tsx', join(PROJECT_ROOT, 'dns-gateway', 'main.ts')], {
      cwd: PROJECT_ROOT, stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, BEACON_DNS_PORT: String(gatewayPort), BEACON_DNS_WORKER_URL: server.urls.beacon },
    });
    defer(() => stopProcess(gateway));
    const dnsmasq = spawn('dnsmasq', dnsmasqArgs(dnsmasqPort), { stdio: 'ignore' });
    defer(() => stopProcess(dnsmasq));
    await Promise.all([started(gateway), started(dnsmasq)]);
    await Promise.all([answering(gatewayPort, 'web.service.consul'), answering(dnsmasqPort, 'web.service.consul')]);
    const queryFile = join(dir, 'queries.txt');
    await writeFile(queryFile, QUERIES.join('\n') + '\n');
    console.log(`gateway answers: ${(await udpAsk(gatewayPort, 'web.service.consul', 'A')).answer.join(' | ')}`);
    const runs: { dnsmasq: PerfResult[]; gateway: PerfResult[] } = { dnsmasq: [], gateway: [] };
    for (let round = 0; round < ROUNDS; round++) {
      for (const [name, port, pid] of [['dnsmasq', dnsmasqPort, dnsmasq.pid!], ['gateway', gatewayPort, gateway.pid!]] as const) {
        const result = await dnsperf(queryFile, port, SECONDS, pid);
        runs[name].push(result);
        console.log(`  ${name} round ${round + 1}: ${Math.round(result.qps)} q/s, ${Math.round(result.cpuUsPerQuery)} µs CPU/query, lost ${result.lost}, ${result.rcodes}`);
      }
    }
    const delays = await deregistrationDelays(server.urls.beacon, gatewayPort);
    console.log(`  deregistration → NXDOMAIN: ${delays.map((d) => Math.round(d)).join(', ')} ms`);
    await writeDnsSection(join(PROJECT_ROOT, 'BENCHMARKS.md'), {
      date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
      machine: `${availableParallelism()} cores (nproc), ${cpus()[0]?.model.trim() ?? 'unknown CPU'}; Node ${process.version}`,
      seconds: SECONDS, queries: QUERIES, runs, delays,
    });
    console.log('Wrote the DNS section of BENCHMARKS.md.');
  });
}

await main();
