// Beacon on plain `workerd serve` (the fastest local runtime): bundles the worker with `wrangler deploy
// --dry-run`, writes a workerd config whose Durable Object storage is the very directory wrangler dev
// uses under `--persist-to` (so state from either runtime is read by the other), and runs workerd.
// Used by `npm start` (through start-local.ts) and by `npm run bench` (scripts/bench/workerd.ts).
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const WORKERD_BIN = join(ROOT, 'node_modules', '.bin', 'workerd');
const WRANGLER_BIN = join(ROOT, 'node_modules', '.bin', 'wrangler');
/** The built UI, what wrangler.toml's [assets] serves (ui/build.mjs, run by wrangler's [build] before bundling). */
const UI_DIST = join(ROOT, 'ui', 'dist');
const run = promisify(execFile);

/**
 * miniflare's layout under `--persist-to <dir>`: Durable Objects live in `<dir>/v3/do`, one directory per
 * namespace named by its unique key `<script>-<Class>`, one `<objectId>.sqlite` per object, and workerd derives
 * an object's ID from its name with that same key. Same key + same directory = same files.
 */
export const doStorageDir = (persistTo: string) => join(persistTo, 'v3', 'do');
export const BEACON_UNIQUE_KEY = 'beacon-Datacenter';
/** The agent shards' namespace, in the same layout (wrangler dev's `<script>-<Class>`). */
export const AGENT_SHARD_UNIQUE_KEY = 'beacon-AgentShard';
/** Beacon's two Durable Object bindings, as wrangler.toml declares them. */
export const BEACON_NAMESPACE_BINDINGS = [
  '(name = "DATACENTER_OBJECT", durableObjectNamespace = "Datacenter")',
  '(name = "AGENT_SHARD", durableObjectNamespace = "AgentShard")',
];
export const beaconNamespaces = (datacenterKey: string, shardKey: string) =>
  `[(className = "Datacenter", uniqueKey = ${str(datacenterKey)}, enableSql = true), (className = "AgentShard", uniqueKey = ${str(shardKey)}, enableSql = true)]`;

/** Bundles a worker (Beacon by default) into `outdir` (wrangler names the module after the entry). */
export async function bundle(outdir: string, ...extra: string[]): Promise<void> {
  const env = { ...process.env, WRANGLER_SEND_METRICS: 'false', WRANGLER_HIDE_BANNER: 'true', NO_COLOR: '1' };
  await run(WRANGLER_BIN, ['deploy', ...extra, '--dry-run', '--outdir', outdir], { cwd: ROOT, env, timeout: 120_000 });
}

/** The compatibility date and flags Beacon deploys with, read from wrangler.toml. */
export async function compatibility(): Promise<{ date: string; flags: string[] }> {
  const toml = await readFile(join(ROOT, 'wrangler.toml'), 'utf8');
  const date = /^compatibility_date\s*=\s*"([^"]+)"/m.exec(toml)?.[1];
  const flags = /^compatibility_flags\s*=\s*\[([^\]]*)\]/m.exec(toml)?.[1] ?? '';
  if (!date) throw new Error('workerd: no compatibility_date in wrangler.toml');
  return { date, flags: [...flags.matchAll(/"([^"]+)"/g)].map((m) => m[1]) };
}

export const str = (s: string) => JSON.stringify(s);
export const list = (items: string[]) => `[${items.join(', ')}]`;
export const textVars = (vars: Record<string, string>) => Object.entries(vars).map(([name, value]) => `(name = ${str(name)}, text = ${str(value)})`);

/** One line per request (method, path, status, ms) in front of Beacon, only when BEACON_LOG=requests. */
const REQUEST_LOG = `export default {
  async fetch(request, env) {
    const started = Date.now();
    const url = new URL(request.url);
    try {
      const response = await env.BEACON.fetch(request);
      console.log(\`\${request.method} \${url.pathname}\${url.search} \${response.status} \${Date.now() - started}ms\`);
      return response;
    } catch (err) {
      console.log(\`\${request.method} \${url.pathname}\${url.search} failed \${Date.now() - started}ms: \${err}\`);
      throw err;
    }
  },
};
`;

/** The built UI (ui/dist, what wrangler.toml's [assets] serves), served by Beacon itself (worker/local-ui.ts). */
const LOCAL_UI_BINDING = '(name = "LOCAL_UI", service = "ui-files")';

export interface BeaconConfig {
  /** Where the bundle is (`<dir>/beacon/index.js`) and the config is written. */
  dir: string;
  persistTo: string;
  port: number;
  vars: Record<string, string>;
  logRequests?: boolean;
  /** A second listening socket at this Unix socket path, for the path guard (loopback TCP costs more both sides). */
  guardSocket?: string;
}

/** The capnp text for Beacon alone: its socket on 127.0.0.1:`port`, storage in wrangler dev's layout. */
export async function beaconConfigText(config: BeaconConfig): Promise<string> {
  const { date, flags } = await compatibility();
  const beacon = `(
    modules = [(name = "index.js", esModule = embed "beacon/index.js")],
    compatibilityDate = ${str(date)},
    compatibilityFlags = ${list(flags.map(str))},
    bindings = ${list([...BEACON_NAMESPACE_BINDINGS, LOCAL_UI_BINDING, ...textVars(config.vars)])},
    durableObjectNamespaces = ${beaconNamespaces(BEACON_UNIQUE_KEY, AGENT_SHARD_UNIQUE_KEY)},
    durableObjectStorage = (localDisk = "do-storage"),
  )`;
  const logger = `(
    modules = [(name = "log.js", esModule = embed "request-log.js")],
    compatibilityDate = ${str(date)},
    bindings = [(name = "BEACON", service = "beacon")],
  )`;
  return `using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [
    (name = "beacon", worker = ${beacon}),${config.logRequests ? `
    (name = "request-log", worker = ${logger}),` : ''}
    (name = "ui-files", disk = (path = ${str(UI_DIST)}, writable = false)),
    (name = "do-storage", disk = (path = ${str(doStorageDir(config.persistTo))}, writable = true)),
    # Every worker's fetch() and connect() (HTTP and TCP checks) go out here; workerd's default allows public
    # addresses only, so checks of 127.0.0.1 or a LAN service would fail. The same allow list as wrangler dev's.
    (name = "internet", network = (allow = ["public", "private", "240.0.0.0/4"], tlsOptions = (trustBrowserCas = true))),
  ],
  sockets = ${list([`127.0.0.1:${config.port}`, ...(config.guardSocket ? [`unix:${config.guardSocket}`] : [])].map((address, i) =>
    `(name = ${str(i ? 'guard' : 'http')}, address = ${str(address)}, http = (), service = ${str(config.logRequests ? 'request-log' : 'beacon')})`))},
);
`;
}

/** Writes Beacon's config into `config.dir` (after `bundle(join(dir, 'beacon'))`). Returns its path. */
export async function writeBeaconConfig(config: BeaconConfig): Promise<string> {
  await mkdir(doStorageDir(config.persistTo), { recursive: true });
  if (config.logRequests) await writeFile(join(config.dir, 'request-log.js'), REQUEST_LOG);
  const path = join(config.dir, 'config.capnp');
  await writeFile(path, await beaconConfigText(config));
  return path;
}

export interface RunningWorkerd {
  process: ChildProcess;
  pid: number;
  /** Port of every socket, as workerd reported it on its control pipe. */
  ports: Map<string, number>;
  /** The last few KB workerd wrote, and whether it is still running. */
  diagnostics(): string;
  stop(): Promise<void>;
}

export interface RunOptions {
  cwd: string;
  sockets: readonly string[];
  /** Workerd's stdout/stderr (the workers' console) go to this process's when true; kept for diagnostics otherwise. */
  inheritOutput?: boolean;
  /** More `workerd serve` arguments, e.g. `--inspector-addr=127.0.0.1:<port>` (scripts/held-heap.ts, the soak's SOAK_HEAP). */
  args?: readonly string[];
}

/**
 * Starts `workerd serve <config>` in this process's group, with SIGKILL as its parent-death signal (util-linux
 * `setpriv --pdeathsig`, where present) so it cannot outlive us even when we are SIGKILLed; waits for its sockets.
 */
export async function runWorkerd(configPath: string, options: RunOptions): Promise<RunningWorkerd> {
  const args = ['serve', configPath, '--control-fd=3', ...(options.args ?? [])];
  const setpriv = ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => existsSync(p));
  const [command, argv] = setpriv ? [setpriv, ['--pdeathsig', 'KILL', '--', WORKERD_BIN, ...args]] : [WORKERD_BIN, args];
  const child = spawn(command, argv, {
    cwd: options.cwd,
    stdio: ['ignore', options.inheritOutput ? 'inherit' : 'pipe', options.inheritOutput ? 'inherit' : 'pipe', 'pipe'],
  });
  if (child.pid === undefined) throw new Error('workerd did not start');
  let output = '';
  const keep = (chunk: Buffer) => (output = (output + chunk).slice(-4000));
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const stop = () => stopProcess(child);
  const state = () => (child.exitCode === null && child.signalCode === null ? 'running' : `exited (${child.exitCode ?? child.signalCode})`);
  const diagnostics = () => `workerd ${state()}; output: ${output || '(none)'}`;
  try {
    const ports = await listenPorts(child, child.stdio[3] as Readable, options.sockets, diagnostics);
    return { process: child, pid: child.pid, ports, diagnostics, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Reads `{"event":"listen","socket":..,"port":..}` lines until every socket is listening (60 s at most). */
async function listenPorts(child: ChildProcess, control: Readable, sockets: readonly string[], diagnostics: () => string): Promise<Map<string, number>> {
  const ports = new Map<string, number>();
  let buffered = '';
  control.on('data', (chunk) => {
    buffered += chunk;
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) {
      const message = JSON.parse(line) as { event?: string; socket?: string; port?: number };
      if (message.event === 'listen' && message.socket && message.port) ports.set(message.socket, message.port);
    }
  });
  const deadline = Date.now() + 60_000;
  while (!sockets.every((s) => ports.has(s))) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`workerd exited: ${diagnostics()}`);
    if (Date.now() > deadline) throw new Error(`workerd sockets not ready within 60 s: ${diagnostics()}`);
    await sleep(50);
  }
  return ports;
}

/** SIGTERM by PID, then SIGKILL if it is still there after 5 s. */
export async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await Promise.race([exited, sleep(5000)]);
  if (child.exitCode === null && child.signalCode === null) {
    child.kill('SIGKILL');
    await Promise.race([exited, sleep(2000)]);
  }
}
