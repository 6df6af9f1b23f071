// Builds Beacon and the bench worker with `wrangler deploy --dry-run`, writes one workerd config with
// three services (Beacon, the bench worker, a no-op worker), and runs plain `workerd serve` on it.
// Sockets listen on 127.0.0.1 port 0; workerd reports the ports it took on a control pipe.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { PROJECT_ROOT } from '../start-local';

export const WORKERD_BIN = join(PROJECT_ROOT, 'node_modules', '.bin', 'workerd');
const WRANGLER_BIN = join(PROJECT_ROOT, 'node_modules', '.bin', 'wrangler');
const run = promisify(execFile);

export const VARS = { DATACENTER: 'dc1', AGENT_NODE: 'beacon', AGENT_ADDRESS: '127.0.0.1', MAX_WAIT_MS: '600000' };
const SOCKETS = ['beacon', 'bench', 'noop'] as const;
export type SocketName = (typeof SOCKETS)[number];

export interface Workerd {
  urls: Record<SocketName, string>;
  pid: number;
  /** The last few KB workerd wrote (stdout and stderr: the workers' console), and whether it is still running. */
  diagnostics(): string;
  stop(): Promise<void>;
}

/** Bundles both workers: `<dir>/beacon/index.js` and `<dir>/bench/bare-worker.js` (wrangler names the output after the entry). */
export async function build(dir: string): Promise<void> {
  const env = { ...process.env, WRANGLER_SEND_METRICS: 'false', WRANGLER_HIDE_BANNER: 'true', NO_COLOR: '1' };
  const dryRun = (outdir: string, ...extra: string[]) =>
    run(WRANGLER_BIN, ['deploy', ...extra, '--dry-run', '--outdir', join(dir, outdir)], { cwd: PROJECT_ROOT, env, timeout: 120_000 });
  await Promise.all([dryRun('beacon'), dryRun('bench', 'scripts/bench/bare-worker.ts', '--name', 'beacon-bench')]);
}

/** The compatibility date and flags Beacon deploys with, read from wrangler.toml. */
async function compatibility(): Promise<{ date: string; flags: string[] }> {
  const toml = await readFile(join(PROJECT_ROOT, 'wrangler.toml'), 'utf8');
  const date = /^compatibility_date\s*=\s*"([^"]+)"/m.exec(toml)?.[1];
  const flags = /^compatibility_flags\s*=\s*\[([^\]]*)\]/m.exec(toml)?.[1] ?? '';
  if (!date) throw new Error('bench: no compatibility_date in wrangler.toml');
  return { date, flags: [...flags.matchAll(/"([^"]+)"/g)].map((m) => m[1]) };
}

const str = (s: string) => JSON.stringify(s);
const list = (items: string[]) => `[${items.join(', ')}]`;

/** The capnp text: embedded paths are relative to the config file, which lives in `dir`. */
export async function configText(dir: string, bindingVars: Record<string, string> = VARS): Promise<string> {
  const { date, flags } = await compatibility();
  const vars = Object.entries(bindingVars).map(([name, value]) => `(name = ${str(name)}, text = ${str(value)})`);
  const worker = (module: string, bindings: string[], uniqueKey?: string) => `(
    modules = [(name = "index.js", esModule = embed ${str(module)})],
    compatibilityDate = ${str(date)},
    compatibilityFlags = ${list(flags.map(str))},
    bindings = ${list(bindings)},${uniqueKey ? `
    durableObjectNamespaces = [(className = "Datacenter", uniqueKey = ${str(uniqueKey)}, enableSql = true)],
    durableObjectStorage = (localDisk = "do-storage"),` : ''}
  )`;
  const ownNamespace = '(name = "DATACENTER_OBJECT", durableObjectNamespace = "Datacenter")';
  const beacon = worker('beacon/index.js', [ownNamespace, ...vars], 'beacon-datacenter');
  const bench = worker('bench/bare-worker.js', [
    ownNamespace,
    '(name = "BEACON_OBJECT", durableObjectNamespace = (className = "Datacenter", serviceName = "beacon"))',
    ...vars,
  ], 'bench-datacenter');
  const noop = worker('noop.js', []);
  return `using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [
    (name = "beacon", worker = ${beacon}),
    (name = "bench", worker = ${bench}),
    (name = "noop", worker = ${noop}),
    (name = "do-storage", disk = (path = ${str(join(dir, 'do-storage'))}, writable = true)),
  ],
  sockets = ${list(SOCKETS.map((s) => `(name = ${str(s)}, address = "127.0.0.1:0", http = (), service = ${str(s)})`))},
);
`;
}

/** Writes the config (with `vars` as the workers' text vars) and the no-op worker into `dir` (after `build`), starts workerd, waits for its sockets. */
export async function startWorkerd(dir: string, vars: Record<string, string> = VARS): Promise<Workerd> {
  await mkdir(join(dir, 'do-storage'), { recursive: true });
  await writeFile(join(dir, 'noop.js'), "export default { fetch() { return new Response('ok'); } };\n");
  await writeFile(join(dir, 'config.capnp'), await configText(dir, vars));
  const child = spawn(WORKERD_BIN, ['serve', join(dir, 'config.capnp'), '--control-fd=3'], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
  });
  if (child.pid === undefined) throw new Error('bench: workerd did not start');
  let stderr = '';
  const keep = (chunk: Buffer) => (stderr = (stderr + chunk).slice(-4000));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const stop = () => stopProcess(child);
  try {
    const ports = await listenPorts(child, child.stdio[3] as Readable, () => stderr);
    const urls = Object.fromEntries(SOCKETS.map((s) => [s, `http://127.0.0.1:${ports.get(s)}`])) as Record<SocketName, string>;
    const state = () => (child.exitCode === null && child.signalCode === null ? 'running' : `exited (${child.exitCode ?? child.signalCode})`);
    const diagnostics = () => `workerd ${state()}; output: ${stderr || '(none)'}`;
    return { urls, pid: child.pid, diagnostics, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Reads `{"event":"listen","socket":..,"port":..}` lines until every socket is listening (30 s at most). */
async function listenPorts(child: ChildProcess, control: Readable, stderr: () => string): Promise<Map<string, number>> {
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
  const deadline = Date.now() + 30_000;
  while (ports.size < SOCKETS.length) {
    if (child.exitCode !== null) throw new Error(`bench: workerd exited (${child.exitCode}): ${stderr()}`);
    if (Date.now() > deadline) throw new Error(`bench: workerd sockets not ready within 30 s: ${stderr()}`);
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

export async function workerdVersion(): Promise<string> {
  const { stdout } = await run(WORKERD_BIN, ['--version'], { timeout: 10_000 });
  return stdout.trim();
}
