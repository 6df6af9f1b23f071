// Starts Beacon locally under `wrangler dev` (workerd with local Durable Objects, state persisted to
// disk) and resolves once the HTTP API answers. Used by `npm start` and by the end-to-end tests.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

export const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));
/** dc1..dc3 in one server (the FEDERATION var; wrangler.toml deploys dc1 alone). */
export const LOCAL_FEDERATION = JSON.stringify(JSON.parse(readFileSync(join(PROJECT_ROOT, 'scripts', 'local-federation.json'), 'utf8')));

export interface LocalServer {
  url: string;
  port: number;
  process: ChildProcess;
  stop(): Promise<void>;
}

export interface StartOptions {
  port: number;
  persistTo: string;
  /** Extra `--var NAME:value` settings for the worker. */
  vars?: Record<string, string>;
  quiet?: boolean;
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

export async function startLocal(options: StartOptions): Promise<LocalServer> {
  // Its own inspector port: wrangler's default (9229, else a neighbour) collides when several servers start at once.
  const inspectorPort = await freePort();
  const args = [
    'wrangler', 'dev', '--ip', '127.0.0.1', '--port', String(options.port), '--persist-to', options.persistTo,
    '--inspector-ip', '127.0.0.1', '--inspector-port', String(inspectorPort),
    '--show-interactive-dev-session=false', '--log-level', options.quiet ? 'warn' : 'info',
    ...Object.entries({ MAX_WAIT_MS: '600000', FEDERATION: LOCAL_FEDERATION, ...options.vars }).flatMap(([k, v]) => ['--var', `${k}:${v}`]),
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
  const stop = async () => {
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
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited (${child.exitCode}): ${stderr}`);
    try {
      const res = await fetch(`${url}/v1/status/leader`);
      if (res.ok) return { url, port: options.port, process: child, stop };
    } catch {
      /* not listening yet */
    }
    await sleep(250);
  }
  await stop();
  throw new Error(`Beacon did not answer on ${url} within 60s: ${stderr}`);
}
