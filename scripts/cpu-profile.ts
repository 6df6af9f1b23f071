// Where one request kind's CPU goes: the bench runtime (plain `workerd serve`) started with its inspector,
// a closed-loop load of one scenario, and a V8 CPU profile of the isolate taken over the measured window.
// The worker and its Durable Objects share that isolate, so one profile covers both. Prints the functions
// with the most self time and the most inclusive time (by function name and bundle line), the native share
// (`(program)`, `(garbage collector)`), and workerd's CPU per request over the same window.
//   node --import tsx scripts/cpu-profile.ts <scenario> [seconds=8] [connections=4]
// Scenarios: noop, cached, cached-gzip, kv-put, kv-get, heartbeat, health (1 instance). PROFILE_OUT=<file>
// also writes the .cpuprofile (DevTools' Performance tab opens it). PROFILE_INTERVAL_US sets the sampling.
import { writeFile } from 'node:fs/promises';
import { CdpSession, inspectorTargets } from './cdp';
import { Http1Connection } from './bench/http1';
import { closedLoop, type Call } from './bench/load';
import { benchSession } from './bench/session';
import { VARS } from './bench/workerd';
import { freePort } from './start-local';

interface Scenario {
  socket: 'beacon' | 'noop';
  seed?: (conn: Http1Connection) => Promise<void>;
  next: (i: number) => Call;
}

async function put(conn: Http1Connection, path: string, body: string): Promise<void> {
  const reply = await conn.request('PUT', path, body);
  if (reply.status !== 200) throw new Error(`cpu-profile: PUT ${path} answered ${reply.status}`);
}

const registerService = (conn: Http1Connection, name: string, id: string) =>
  put(conn, '/v1/agent/service/register', JSON.stringify({ ID: id, Name: name, Port: 8080, Check: { CheckID: `check-${id}`, TTL: '10m', Status: 'passing' } }));

async function hundredInstances(conn: Http1Connection): Promise<void> {
  for (let i = 0; i < 100; i++) await registerService(conn, 'web', `web-${i}`);
  await conn.request('GET', '/v1/health/service/web?cached');
  // The refresh compresses the entry's body in the background: wait for the gzip copy.
  for (let i = 0; i < 100; i++) {
    const reply = await conn.request('GET', '/v1/health/service/web?cached', undefined, 'Accept-Encoding: gzip\r\n');
    if (reply.head.toLowerCase().includes('content-encoding: gzip')) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('cpu-profile: the cached entry was never compressed');
}

const value = () => Math.random().toString(36).repeat(6).slice(0, 64);

const SCENARIOS: Record<string, Scenario> = {
  noop: { socket: 'noop', next: () => ({ method: 'GET', path: '/' }) },
  cached: { socket: 'beacon', seed: hundredInstances, next: () => ({ method: 'GET', path: '/v1/health/service/web?cached' }) },
  'cached-gzip': {
    socket: 'beacon',
    seed: hundredInstances,
    next: () => ({ method: 'GET', path: '/v1/health/service/web?cached', headers: 'Accept-Encoding: gzip\r\n' }),
  },
  'kv-put': { socket: 'beacon', next: (i) => ({ method: 'PUT', path: `/v1/kv/bench/${i % 1000}`, body: value() }) },
  'kv-get': {
    socket: 'beacon',
    seed: async (conn) => {
      for (let i = 0; i < 1000; i++) await put(conn, `/v1/kv/bench/${i}`, value());
    },
    next: (i) => ({ method: 'GET', path: `/v1/kv/bench/${i % 1000}` }),
  },
  heartbeat: {
    socket: 'beacon',
    seed: (conn) => registerService(conn, 'beat', 'beat-0'),
    next: () => ({ method: 'PUT', path: '/v1/agent/check/pass/check-beat-0' }),
  },
  health: {
    socket: 'beacon',
    seed: (conn) => registerService(conn, 'watched', 'watched-0'),
    next: () => ({ method: 'GET', path: '/v1/health/service/watched' }),
  },
};

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  hitCount?: number;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
}

const label = (n: ProfileNode) => {
  const { functionName, url, lineNumber } = n.callFrame;
  const file = url.slice(url.lastIndexOf('/') + 1);
  return `${functionName || '(anonymous)'}${file ? ` ${file}:${lineNumber + 1}` : ''}`;
};

/** Shares of all samples by function: self (the sample's own frame) and inclusive (anywhere on its stack, once). */
function shares(profile: Profile): { self: Map<string, number>; inclusive: Map<string, number>; total: number } {
  const parent = new Map<number, number>();
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  for (const id of profile.samples) {
    const leaf = byId.get(id)!;
    self.set(label(leaf), (self.get(label(leaf)) ?? 0) + 1);
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) seen.add(label(byId.get(at)!));
    for (const l of seen) inclusive.set(l, (inclusive.get(l) ?? 0) + 1);
  }
  return { self, inclusive, total: profile.samples.length };
}

function top(map: Map<string, number>, total: number, n: number): string {
  return [...map].sort((a, b) => b[1] - a[1]).slice(0, n).map(([l, c]) => `  ${((100 * c) / total).toFixed(1).padStart(5)} %  ${l}`).join('\n');
}

async function main() {
  const name = process.argv[2] ?? '';
  const scenario = SCENARIOS[name];
  if (!scenario) throw new Error(`cpu-profile: scenario one of ${Object.keys(SCENARIOS).join(', ')}`);
  const seconds = Number(process.argv[3] ?? 8);
  const connections = Number(process.argv[4] ?? 4);
  const port = await freePort();
  await benchSession('profile', 10 * 60_000, async ({ server }) => {
    const base = server.urls[scenario.socket];
    if (scenario.seed) {
      const conn = await Http1Connection.open(base);
      try {
        await scenario.seed(conn);
      } finally {
        conn.close();
      }
    }
    const targets = await inspectorTargets(port);
    const session = await CdpSession.open(targets[0].webSocketDebuggerUrl);
    try {
      await session.send('Profiler.enable');
      await session.send('Profiler.setSamplingInterval', { interval: Number(process.env.PROFILE_INTERVAL_US) || 100 });
      const load = closedLoop(base, scenario.next, { connections, warmupMs: 1000, durationMs: seconds * 1000, serverPid: server.pid });
      await new Promise((r) => setTimeout(r, 1000));
      await session.send('Profiler.start');
      const result = await load;
      const { profile } = await session.send<{ profile: Profile }>('Profiler.stop');
      if (process.env.PROFILE_OUT) await writeFile(process.env.PROFILE_OUT, JSON.stringify(profile));
      const { self, inclusive, total } = shares(profile);
      const idle = self.get('(idle)') ?? 0;
      console.log(`${name}: ${Math.round(result.rps)} req/s, ${Math.round(result.serverCpuUs)} µs of workerd CPU per request, ${result.errors} errors; ` +
        `${total} samples, ${((100 * idle) / total).toFixed(0)} % idle (shares below are of busy samples)`);
      self.delete('(idle)');
      inclusive.delete('(idle)');
      inclusive.delete('(root)');
      const busy = total - idle;
      console.log(`self:\n${top(self, busy, 30)}\ninclusive:\n${top(inclusive, busy, 40)}`);
    } finally {
      session.close();
    }
  }, VARS, [`--inspector-addr=127.0.0.1:${port}`]);
}

await main();
