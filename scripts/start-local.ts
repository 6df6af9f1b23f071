// Starts Beacon locally and resolves once the HTTP API answers: on plain `workerd serve` by default (the
// fastest runtime; `npm start`, the end-to-end tests), or under `wrangler dev` with live reload
// (`runtime: 'wrangler'`, `npm run dev`). Both keep Durable Objects in the same files under `persistTo`.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { aclSettings, reportedPolicy } from '../worker/acl/settings';
import { spawnGuard, type GuardProcess } from './path-guard/process';
import { bundle, runWorkerd, writeBeaconConfig } from './workerd-runtime';

export const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));
/** dc1..dc3 in one server (the FEDERATION var; wrangler.toml deploys dc1 alone). */
export const LOCAL_FEDERATION = JSON.stringify(JSON.parse(readFileSync(join(PROJECT_ROOT, 'scripts', 'local-federation.json'), 'utf8')));

export interface LocalServer {
  url: string;
  port: number;
  /** The runtime's own port behind the dot-segment guard (loopback; for tests that show what the guard stops). */
  runtimePort: number;
  process: ChildProcess;
  /** The path guard's process (its CPU is part of what a request costs; scripts/bench/start.ts). */
  guardPid?: number;
  stop(): Promise<void>;
}

export interface StartOptions {
  port: number;
  persistTo: string;
  /** Extra `--var NAME:value` settings for the worker (text bindings under either runtime). */
  vars?: Record<string, string>;
  /** Worker secrets (ACL_INITIAL_MANAGEMENT_TOKEN): a private env file for wrangler, a binding in workerd's 0700 temp dir. */
  secrets?: Record<string, string>;
  quiet?: boolean;
  /** `workerd` (default): plain `workerd serve`; `wrangler`: `wrangler dev`, with live reload. */
  runtime?: 'workerd' | 'wrangler';
  /** One log line per request (workerd runtime; wrangler dev logs every request at `info` anyway). */
  logRequests?: boolean;
  /** workerd's inspector on 127.0.0.1 at this port (workerd runtime only). */
  inspectorPort?: number;
}

/** The worker's vars under `npm start` and the tests: wrangler.toml's, 10-minute waits, three datacenters, then the caller's. */
function localVars(extra: Record<string, string> | undefined): Record<string, string> {
  const toml = readFileSync(join(PROJECT_ROOT, 'wrangler.toml'), 'utf8');
  const fromToml = Object.fromEntries(
    ['DATACENTER', 'AGENT_NODE', 'AGENT_ADDRESS'].flatMap((name) => {
      const value = new RegExp(`^${name}\\s*=\\s*"([^"]*)"`, 'm').exec(toml)?.[1];
      return value === undefined ? [] : [[name, value]];
    }),
  );
  return { ...fromToml, MAX_WAIT_MS: '600000', FEDERATION: LOCAL_FEDERATION, ...aclVarsFromEnv(), ...extra };
}

/**
 * ACLs locally: off unless BEACON_ACL_ENABLED=true (like `consul agent -dev`); BEACON_ACL_DEFAULT_POLICY and
 * BEACON_ACL_INITIAL_MANAGEMENT_TOKEN set the rest. HTTP bootstrap stays open locally, as in Consul.
 */
export function aclVarsFromEnv(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  return {
    ACL_ENABLED: env.BEACON_ACL_ENABLED === 'true' ? 'true' : 'false',
    ACL_HTTP_BOOTSTRAP: 'true',
    ACL_DEFAULT_POLICY: env.BEACON_ACL_DEFAULT_POLICY || 'allow',
  };
}

/** The secrets the worker gets: the initial management token from the environment, then the caller's. */
function localSecrets(extra: Record<string, string> | undefined): Record<string, string> {
  const all = { ACL_INITIAL_MANAGEMENT_TOKEN: process.env.BEACON_ACL_INITIAL_MANAGEMENT_TOKEN ?? '', ...extra };
  return Object.fromEntries(Object.entries(all).filter(([, v]) => v));
}

/** The initial management token goes to wrangler in a private file, never on a command line `ps` shows. */
function secretsFile(secrets: Record<string, string>): string | undefined {
  const entries = Object.entries(secrets);
  if (!entries.length) return undefined;
  const dir = mkdtempSync(join(tmpdir(), 'beacon-secrets-'));
  const file = join(dir, '.env');
  writeFileSync(file, entries.map(([k, v]) => `${k}=${v}\n`).join(''), { mode: 0o600 });
  return file;
}

/** A port on 127.0.0.1 that nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export function startLocal(options: StartOptions): Promise<LocalServer> {
  return options.runtime === 'wrangler' ? startWranglerDev(options) : startWorkerd(options);
}

/**
 * The dot-segment guard on `port`, in front of the runtime at `upstream` (a port, or workerd's Unix socket) (scripts/path-guard/): workerd
 * and wrangler dev both resolve a raw `..` before Beacon sees it (docs/deploying.md). Its own process; should
 * it die, the runtime is stopped too, so whoever watches the runtime's process sees Beacon gone.
 */
async function guardInFront(port: number, upstream: number | string, vars: Record<string, string>, runtime: ChildProcess, stopRuntime: () => Promise<void>): Promise<GuardProcess> {
  const guard = await spawnGuard(port, upstream, reportedPolicy(aclSettings(vars)));
  let stopping = false;
  guard.process.once('exit', () => void (stopping || stopRuntime()));
  // And the other way round: a runtime that dies (a crash, a SIGKILL in the fault tests) takes the guard and
  // its port with it at once, so a restart on the same port finds it free.
  runtime.once('exit', () => void (stopping || guard.process.kill('SIGKILL')));
  return {
    ...guard,
    stop: async () => {
      stopping = true;
      await guard.stop();
    },
  };
}

/** Bundles Beacon into a temp dir, runs plain workerd on `options.port`; the bundle goes when it stops. */
async function startWorkerd(options: StartOptions): Promise<LocalServer> {
  const dir = await mkdtemp(join(tmpdir(), 'beacon-workerd-'));
  try {
    await bundle(join(dir, 'beacon'));
    const vars = localVars(options.vars);
    const workerdPort = await freePort();
    const guardSocket = join(dir, 'guard.sock');
    const config = await writeBeaconConfig({ dir, persistTo: options.persistTo, port: workerdPort, vars: { ...vars, ...localSecrets(options.secrets) }, logRequests: options.logRequests, guardSocket });
    const workerd = await runWorkerd(config, { cwd: dir, sockets: ['http'], inheritOutput: !options.quiet, args: options.inspectorPort ? [`--inspector-addr=127.0.0.1:${options.inspectorPort}`] : [] });
    const guard = await guardInFront(options.port, guardSocket, vars, workerd.process, () => workerd.stop()).catch(async (err) => {
      await workerd.stop();
      throw err;
    });
    const url = `http://127.0.0.1:${options.port}`;
    const stop = async () => {
      await guard.stop();
      await workerd.stop();
      await rm(dir, { recursive: true, force: true });
    };
    await waitForApi(url, workerd.process, () => workerd.diagnostics(), stop);
    return { url, port: options.port, runtimePort: workerdPort, process: workerd.process, guardPid: guard.process.pid, stop };
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}

/** Resolves once `GET /v1/status/leader` answers 200 (60 s at most); stops the server and throws otherwise. */
async function waitForApi(url: string, child: ChildProcess, diagnostics: () => string, stop: () => Promise<void>): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      await stop();
      throw new Error(`Beacon exited: ${diagnostics()}`);
    }
    try {
      const res = await fetch(`${url}/v1/status/leader`);
      if (res.ok) return;
    } catch {
      /* not listening yet */
    }
    await sleep(100);
  }
  await stop();
  throw new Error(`Beacon did not answer on ${url} within 60s: ${diagnostics()}`);
}

/** `wrangler dev` (live reload) in a process group of its own, stopped by group. */
export async function startWranglerDev(options: StartOptions): Promise<LocalServer> {
  // Its own inspector port: wrangler's default (9229, else a neighbour) collides when several servers start at once.
  const inspectorPort = await freePort();
  const wranglerPort = await freePort();
  const vars = { MAX_WAIT_MS: '600000', FEDERATION: LOCAL_FEDERATION, ...aclVarsFromEnv(), ...options.vars };
  const envFile = secretsFile(localSecrets(options.secrets));
  const args = [
    'wrangler', 'dev', ...(envFile ? ['--env-file', envFile] : []), '--ip', '127.0.0.1', '--port', String(wranglerPort), '--persist-to', options.persistTo,
    '--inspector-ip', '127.0.0.1', '--inspector-port', String(inspectorPort),
    '--show-interactive-dev-session=false', '--log-level', options.quiet ? 'warn' : 'info',
    ...Object.entries(vars).flatMap(([k, v]) => ['--var', `${k}:${v}`]),
  ];
  const child = spawn('npx', args, {
    cwd: PROJECT_ROOT,
    // No network here: don't fetch Request.cf data or send metrics.
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false', WRANGLER_HIDE_BANNER: 'true', NO_COLOR: '1' },
    stdio: options.quiet ? ['ignore', 'ignore', 'pipe'] : ['ignore', 'inherit', 'inherit'],
    detached: true,
  });
  let stderr = '';
  child.stderr?.on('data', (chunk) => (stderr = (stderr + chunk).slice(-4000)));
  const url = `http://127.0.0.1:${options.port}`;
  let guard: GuardProcess | undefined;
  const stop = async () => {
    await guard?.stop();
    if (envFile) rmSync(dirname(envFile), { recursive: true, force: true });
    if (child.exitCode !== null || child.pid === undefined) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      return;
    }
    await Promise.race([exited, sleep(5000)]);
    if (child.exitCode === null) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
  };
  guard = await guardInFront(options.port, wranglerPort, vars, child, () => stop()).catch(async (err) => {
    await stop();
    throw err;
  });
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`wrangler dev exited (${child.exitCode}): ${stderr}`);
    }
    try {
      const res = await fetch(`${url}/v1/status/leader`);
      if (res.ok) return { url, port: options.port, runtimePort: wranglerPort, process: child, stop };
    } catch {
      /* not listening yet */
    }
    await sleep(250);
  }
  await stop();
  throw new Error(`Beacon did not answer on ${url} within 60s: ${stderr}`);
}
