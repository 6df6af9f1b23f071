// Where the memory of held blocking queries goes: workerd's RSS with N requests parked (a) in a bare worker
// that only awaits (workerd's own cost of a held HTTP request), (b) in a bare worker awaiting a bare Durable
// Object RPC that only awaits (plus workerd's cost of a held RPC), then in Beacon started as `npm start` starts
// it: (c) N identical health watches on one service, (d) N watches on N distinct services, (e) N KV watches on
// distinct keys. Each figure is (RSS with N parked − RSS before) / N, after a warm-up round of the same
// shape, each Beacon shape in a fresh workerd, and how long the last watcher took to answer after the write
// that woke them. HELD_ONLY_BEACON=1 skips the bare runs, HELD_SHAPE=<0..2> runs one Beacon shape.
//   node --import tsx scripts/held-memory.ts [N=2000]
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { startBare } from './bare-holder';
import { Http1Connection } from './bench/http1';
import { rssMb } from './rss';
import { aclVarsFromEnv, freePort, LOCAL_FEDERATION } from './start-local';
import { bundle, runWorkerd, writeBeaconConfig } from './workerd-runtime';

const N = Number(process.argv[2] ?? 2000);
const SETTLE_MS = 5000;

type Put = (path: string, body: unknown) => Promise<unknown>;
let gen = 0;
const touch = (put: Put, id: string) => put('/v1/agent/service/register', { ID: id, Name: id, Port: 1, Meta: { gen: String(++gen) } });

interface Shape {
  name: string;
  path: (i: number) => string;
  wake: () => Promise<unknown>;
}

/** Parks N requests of `shape`, measures RSS, wakes them, measures how long the last took; returns KB per held request. */
async function measure(url: string, pid: number, shape: Shape, count: number) {
  const conns: Http1Connection[] = [];
  for (let i = 0; i < count; i += 100) conns.push(...(await Promise.all(Array.from({ length: Math.min(100, count - i) }, () => Http1Connection.open(url)))));
  await sleep(1000);
  const before = rssMb(pid);
  const answers = conns.map((c, i) => c.request('GET', shape.path(i)).then(
    (r) => ({ at: performance.now(), status: r.status }),
    (err: Error) => ({ at: performance.now(), status: err.message }),
  ));
  await sleep(SETTLE_MS + count);
  const held = rssMb(pid);
  const t0 = performance.now();
  await shape.wake();
  const done = await Promise.all(answers);
  const lastMs = Math.max(...done.map((d) => d.at)) - t0;
  const bad = done.filter((d) => d.status !== 200);
  if (bad.length) console.error(`${shape.name}: ${bad.length} not answered 200, e.g. ${bad[0].status}`);
  for (const c of conns) c.close();
  await sleep(2000);
  const after = rssMb(pid);
  return { shape: shape.name, count, beforeMb: +before.toFixed(1), heldMb: +held.toFixed(1), afterMb: +after.toFixed(1), kbPerHeld: +(((held - before) * 1024) / count).toFixed(1), lastAnsweredMs: Math.round(lastMs), bad: bad.length };
}

async function indexOf(url: string, path: string): Promise<number> {
  const res = await fetch(url + path);
  await res.arrayBuffer();
  return Number(res.headers.get('X-Consul-Index'));
}

async function main() {
  const dir = await mkdtemp(join(tmpdir(), 'beacon-held-'));
  const results: unknown[] = [];
  const bare = process.env.HELD_ONLY_BEACON ? undefined : await startBare(dir);
  if (bare) try {
    const release = () => fetch(`${bare.url}/release`).then((r) => r.text());
    for (const [name, path] of [['bare worker, awaiting', '/hold'], ['bare worker → bare object RPC, awaiting', '/hold-rpc']] as const) {
      const shape = { name, path: () => path, wake: release };
      await measure(bare.url, bare.pid, shape, Math.min(200, N)); // warm-up
      results.push(await measure(bare.url, bare.pid, shape, N));
      console.log(JSON.stringify(results.at(-1)));
    }
  } finally {
    await bare.stop();
  }
  // One bundle, then a fresh workerd per shape: RSS a shape grew stays reserved and would hide the next one's.
  await bundle(join(dir, 'beacon'));
  const shapes: ((url: string, put: Put) => Promise<Shape>)[] = [
    async (url, put) => {
      await put('/v1/agent/service/register', { ID: 'held-one', Name: 'held-one', Port: 1 });
      const index = await indexOf(url, '/v1/health/service/held-one');
      return { name: 'Beacon: identical health watches on one service', path: () => `/v1/health/service/held-one?index=${index}&wait=300s`, wake: () => touch(put, 'held-one') };
    },
    async (url, put) => {
      for (let i = 0; i < N; i += 50) await Promise.all(Array.from({ length: Math.min(50, N - i) }, (_, k) => put('/v1/agent/service/register', { ID: `held-${i + k}`, Name: `held-${i + k}`, Port: 1 })));
      // held-<N-1> was registered last: its index is at least every other service's, so each of them parks.
      const index = await indexOf(url, `/v1/health/service/held-${N - 1}`);
      return {
        name: 'Beacon: health watches on distinct services',
        path: (i) => `/v1/health/service/held-${i % N}?index=${index}&wait=300s`,
        wake: () => Promise.all(Array.from({ length: N }, (_, i) => touch(put, `held-${i}`))),
      };
    },
    async (url, put) => {
      await put('/v1/kv/held/seed', 'x');
      const index = await indexOf(url, '/v1/kv/held/seed');
      return { name: 'Beacon: KV watches on one prefix (recurse)', path: () => `/v1/kv/held/?recurse&index=${index}&wait=300s`, wake: () => put('/v1/kv/held/seed', 'y') };
    },
  ];
  for (const make of process.env.HELD_SHAPE ? [shapes[Number(process.env.HELD_SHAPE)]] : shapes) {
    const persistTo = await mkdtemp(join(dir, 'state-'));
    const port = await freePort();
    const config = await writeBeaconConfig({ dir, persistTo, port, vars: { DATACENTER: 'dc1', AGENT_NODE: 'beacon', AGENT_ADDRESS: '127.0.0.1', MAX_WAIT_MS: '600000', FEDERATION: LOCAL_FEDERATION, ...aclVarsFromEnv({}) } });
    const workerd = await runWorkerd(config, { cwd: dir, sockets: ['http'] });
    const url = `http://127.0.0.1:${port}`;
    const once = () => (path: string, body: unknown) => fetch(url + path, { method: 'PUT', body: typeof body === 'string' ? body : JSON.stringify(body) }).then((r) => r.arrayBuffer());
    // A connection reset under load is retried once (node's fetch does not retry a PUT).
    const put: Put = (path, body) => once()(path, body).catch(() => once()(path, body));
    try {
      await measure(url, workerd.pid, await make(url, put), Math.min(200, N)); // warm-up, same shape
      results.push(await measure(url, workerd.pid, await make(url, put), N));
      console.log(JSON.stringify(results.at(-1)));
    } catch (err) {
      throw new Error(`${(err as Error).message}; ${workerd.diagnostics()}`);
    } finally {
      await workerd.stop();
    }
  }
  await rm(dir, { recursive: true, force: true });
  console.table(results);
  console.log(JSON.stringify(results));
}

await main();
