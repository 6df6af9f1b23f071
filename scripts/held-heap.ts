// What N parked requests keep in the worker isolate's V8 heap (issue 12): workerd started with its inspector,
// a heap snapshot (after a forced GC) before parking and one with N parked, and the difference per parked
// request by object kind; also Runtime.getHeapUsage. HEAP_TARGET=bare parks in the bare worker of
// scripts/bare-holder.ts (workerd's own cost), else N identical Beacon health watches.
// The inspector is spoken to by scripts/cdp.ts (Node 20's experimental WebSocket gets no answer from it):
//   node --import tsx scripts/held-heap.ts [N=2000] [inspector port=22001]
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startBare } from './bare-holder';
import { CdpSession, inspectorTargets } from './cdp';
import { Http1Connection } from './bench/http1';
import { rssMb } from './rss';
import { freePort, LOCAL_FEDERATION } from './start-local';
import { bundle, runWorkerd, writeBeaconConfig } from './workerd-runtime';

const N = Number(process.argv[2] ?? 2000);
const INSPECTOR = Number(process.argv[3] ?? 22001);
const BARE = process.env.HEAP_TARGET === 'bare';
/** Where the two snapshots are written, when set (to open in DevTools' Memory tab). */
const KEEP = process.env.HEAP_KEEP;

interface Cdp {
  send(method: string, params?: Record<string, unknown>): Promise<Record<string, unknown>>;
  snapshot(): Promise<string>;
  close(): void;
}

async function inspect(port: number): Promise<Cdp> {
  const [target] = await inspectorTargets(port);
  const session = await CdpSession.open(target.webSocketDebuggerUrl);
  return {
    send: (method, params = {}) => session.send(method, params),
    async snapshot() {
      const chunks: string[] = [];
      session.on('HeapProfiler.addHeapSnapshotChunk', (p) => chunks.push(p.chunk as string));
      await session.send('HeapProfiler.takeHeapSnapshot', { reportProgress: false });
      return chunks.join('');
    },
    close: () => session.close(),
  };
}

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[]] } };
  nodes: number[];
  strings: string[];
}

/** Count and self size of every (type, name) in a heap snapshot. */
function census(text: string): Map<string, { count: number; bytes: number }> {
  const s = JSON.parse(text) as Snapshot;
  const fields = s.snapshot.meta.node_fields;
  const types = s.snapshot.meta.node_types[0];
  const [type, name, size] = ['type', 'name', 'self_size'].map((f) => fields.indexOf(f));
  const kinds = new Map<string, { count: number; bytes: number }>();
  for (let i = 0; i < s.nodes.length; i += fields.length) {
    const t = types[s.nodes[i + type]];
    const label = `${t}:${t === 'string' || t === 'concatenated string' || t === 'sliced string' ? '(text)' : s.strings[s.nodes[i + name]].slice(0, 60)}`;
    const kind = kinds.get(label) ?? kinds.set(label, { count: 0, bytes: 0 }).get(label)!;
    kind.count++;
    kind.bytes += s.nodes[i + size];
  }
  return kinds;
}

async function main() {
  const dir = await mkdtemp(join(tmpdir(), 'beacon-heap-'));
  const inspectorArgs = [`--inspector-addr=127.0.0.1:${INSPECTOR}`];
  let server: { url: string; pid: number; stop: () => Promise<void> };
  let watch: string;
  let wake: () => Promise<unknown>;
  if (BARE) {
    server = await startBare(dir, inspectorArgs);
    watch = '/hold';
    wake = () => fetch(`${server.url}/release`).then((r) => r.text());
  } else {
    await bundle(join(dir, 'beacon'));
    const port = await freePort();
    const config = await writeBeaconConfig({ dir, persistTo: await mkdtemp(join(dir, 'state-')), port, vars: { DATACENTER: 'dc1', AGENT_NODE: 'beacon', AGENT_ADDRESS: '127.0.0.1', MAX_WAIT_MS: '600000', FEDERATION: LOCAL_FEDERATION } });
    const workerd = await runWorkerd(config, { cwd: dir, sockets: ['http'], args: inspectorArgs });
    server = { url: `http://127.0.0.1:${port}`, pid: workerd.pid, stop: workerd.stop };
    const put = (path: string, body: unknown) => fetch(server.url + path, { method: 'PUT', body: JSON.stringify(body) }).then((r) => r.text());
    let gen = 0;
    const touch = () => put('/v1/agent/service/register', { ID: 'held-one', Name: 'held-one', Port: 1, Meta: { gen: String(++gen) } });
    await touch();
    const index = () => fetch(`${server.url}/v1/health/service/held-one`).then((r) => Number(r.headers.get('X-Consul-Index')));
    watch = `/v1/health/service/held-one?index=${await index()}&wait=300s`;
    wake = async () => {
      await touch();
      watch = `/v1/health/service/held-one?index=${await index()}&wait=300s`;
    };
  }
  const step = (what: string) => console.error(`held-heap: ${what}`);
  step('inspector');
  const cdp = await inspect(INSPECTOR);
  const park = async (count: number) => {
    const conns: Http1Connection[] = [];
    for (let i = 0; i < count; i += 100) conns.push(...(await Promise.all(Array.from({ length: Math.min(100, count - i) }, () => Http1Connection.open(server.url)))));
    const answers = conns.map((c) => c.request('GET', watch).catch(() => undefined));
    await sleep(3000 + count);
    return { conns, answers };
  };
  const heap = async () => {
    // A snapshot collects garbage first (workerd never answers HeapProfiler.collectGarbage): usage after it.
    const text = await cdp.snapshot();
    const usage = (await cdp.send('Runtime.getHeapUsage')) as { usedSize: number; totalSize: number };
    return { usage, text, rss: rssMb(server.pid) };
  };
  try {
    step('warm-up');
    const warm = await park(200);
    await wake();
    await Promise.all(warm.answers);
    for (const c of warm.conns) c.close();
    await sleep(1000);
    step('snapshot before');
    const before = await heap();
    const parked = await park(N);
    step('snapshot held');
    const held = await heap();
    await wake();
    await Promise.all(parked.answers);
    for (const c of parked.conns) c.close();
    if (KEEP) await Promise.all([writeFile(`${KEEP}-before.heapsnapshot`, before.text), writeFile(`${KEEP}-held.heapsnapshot`, held.text)]);
    const perHeld = (a: number, b: number) => +((b - a) / N).toFixed(0);
    console.log(JSON.stringify({
      target: BARE ? 'bare worker, awaiting' : 'Beacon: identical health watches on one service', count: N,
      heapUsedBytesPerHeld: perHeld(before.usage.usedSize, held.usage.usedSize),
      heapTotalBytesPerHeld: perHeld(before.usage.totalSize, held.usage.totalSize),
      rssKbPerHeld: +(((held.rss - before.rss) * 1024) / N).toFixed(1),
    }));
    const a = census(before.text);
    const rows = [...census(held.text)].map(([kind, { count, bytes }]) => ({
      kind, perHeld: +((count - (a.get(kind)?.count ?? 0)) / N).toFixed(2), bytesPerHeld: +((bytes - (a.get(kind)?.bytes ?? 0)) / N).toFixed(0),
    })).filter((r) => Math.abs(r.bytesPerHeld) >= 8).sort((x, y) => y.bytesPerHeld - x.bytesPerHeld);
    console.table(rows.slice(0, 40));
    console.log(`sum of listed: ${rows.reduce((sum, r) => sum + r.bytesPerHeld, 0)} bytes per held request`);
  } finally {
    cdp.close();
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
