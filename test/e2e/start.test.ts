// `npm start` on plain workerd (issue 16): it reads the state the old `npm start` (wrangler dev) wrote, logs
// requests only when asked, and nothing it starts outlives it, however it is stopped.
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT, freePort, startLocal } from '../../scripts/start-local';

const dirs: string[] = [];
const started: ChildProcess[] = [];
afterAll(async () => {
  for (const child of started) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});
const tempDir = async () => {
  const dir = await mkdtemp(join(tmpdir(), 'beacon-start-'));
  dirs.push(dir);
  return dir;
};
const uniq = (prefix: string) => `${prefix}-${Math.random().toString(36).slice(2, 10)}`;

/** PIDs of every live descendant of `root`, with their command names, from /proc. */
function descendants(root: number): Map<number, string> {
  const parents = new Map<number, number>();
  const names = new Map<number, string>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parents.set(Number(entry), Number(rest[1]));
      names.set(Number(entry), stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')));
    } catch {
      /* exited while we looked */
    }
  }
  const found = new Map<number, string>();
  let frontier = [root];
  while (frontier.length) {
    frontier = [...parents].filter(([, parent]) => frontier.includes(parent)).map(([pid]) => pid);
    for (const pid of frontier) found.set(pid, names.get(pid)!);
  }
  return found;
}

/** Running (a zombie waiting for a reaper counts as gone). */
const alive = (pid: number) => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
};
const listening = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });

/** Polls `condition` until it holds or `withinMs` pass; returns whether it held. */
async function eventually(condition: () => boolean | Promise<boolean>, withinMs = 30_000): Promise<boolean> {
  for (const deadline = Date.now() + withinMs; Date.now() < deadline; await sleep(100)) if (await condition()) return true;
  return condition();
}

interface NpmStart {
  child: ChildProcess;
  url: string;
  port: number;
  output(): string;
}

/** `npm start` as a user runs it, on free ports with its own state dir; resolves once the DNS gateway line is printed. */
async function npmStart(env: Record<string, string>, ownGroup = false): Promise<NpmStart> {
  const port = await freePort();
  const child = spawn('npm', ['start'], {
    cwd: PROJECT_ROOT,
    // Its own process group, as a terminal gives the foreground job, for a Ctrl-C to the whole group.
    detached: ownGroup,
    env: { ...process.env, BEACON_HTTP_PORT: String(port), BEACON_DNS_PORT: String(await freePort()), BEACON_STATE_DIR: await tempDir(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.push(child);
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  // Bundling takes a few seconds alone, far longer on a loaded machine.
  const ready = await eventually(() => output.includes('Beacon DNS:') || child.exitCode !== null, 150_000);
  if (!ready || !output.includes('Beacon DNS:')) throw new Error(`npm start did not come up: ${output}`);
  return { child, url: `http://127.0.0.1:${port}`, port, output: () => output };
}

describe('npm start on plain workerd', () => {
  it('reads the Durable Object state that the old npm start (wrangler dev) wrote to the same directory', async () => {
    const persistTo = await tempDir();
    const key = uniq('kept');
    const old = await startLocal({ port: await freePort(), persistTo, quiet: true, runtime: 'wrangler' });
    try {
      expect((await fetch(`${old.url}/v1/kv/${key}`, { method: 'PUT', body: 'from wrangler dev' })).status).toBe(200);
      const dc2 = await fetch(`${old.url}/v1/kv/${key}?dc=dc2`, { method: 'PUT', body: 'dc2 too' });
      expect(dc2.status).toBe(200);
    } finally {
      await old.stop();
    }
    const now = await startLocal({ port: await freePort(), persistTo, quiet: true });
    try {
      expect(await (await fetch(`${now.url}/v1/kv/${key}?raw`)).text()).toBe('from wrangler dev');
      expect(await (await fetch(`${now.url}/v1/kv/${key}?raw&dc=dc2`)).text()).toBe('dc2 too');
      expect((await fetch(`${now.url}/v1/kv/${key}`, { method: 'PUT', body: 'from workerd' })).status).toBe(200);
    } finally {
      await now.stop();
    }
    // And back: what plain workerd wrote, wrangler dev (`npm run dev`) reads.
    const again = await startLocal({ port: await freePort(), persistTo, quiet: true, runtime: 'wrangler' });
    try {
      expect(await (await fetch(`${again.url}/v1/kv/${key}?raw`)).text()).toBe('from workerd');
    } finally {
      await again.stop();
    }
  }, 300_000);

  it('logs one line per request with BEACON_LOG=requests, and leaves nothing behind when npm itself is SIGKILLed', async () => {
    const server = await npmStart({ BEACON_LOG: 'requests' });
    const tree = descendants(server.child.pid!);
    const workerd = [...tree].filter(([, name]) => name === 'workerd').map(([pid]) => pid);
    expect(workerd).toHaveLength(1);
    const key = uniq('logged');
    expect((await fetch(`${server.url}/v1/kv/${key}`, { method: 'PUT', body: 'x' })).status).toBe(200);
    expect(await eventually(() => server.output().includes(`PUT /v1/kv/${key} 200`))).toBe(true);
    expect(server.output().split('\n').filter((line) => line.includes(`/v1/kv/${key}`))).toHaveLength(1);

    server.child.kill('SIGKILL');
    expect(await eventually(() => [...tree.keys()].every((pid) => !alive(pid)))).toBe(true);
    expect(await listening(server.port)).toBe(false);
  }, 240_000);

  it('logs no request by default and stops workerd on SIGTERM', async () => {
    const server = await npmStart({ BEACON_LOG: '' });
    const tree = descendants(server.child.pid!);
    expect([...tree.values()]).toContain('workerd');
    const key = uniq('quiet');
    expect((await fetch(`${server.url}/v1/kv/${key}`, { method: 'PUT', body: 'x' })).status).toBe(200);
    expect((await fetch(`${server.url}/v1/kv/${key}`)).status).toBe(200);
    // npm forwards SIGTERM to its script; the script stops the gateway and workerd, then exits.
    server.child.kill('SIGTERM');
    expect(await eventually(() => [...tree.keys()].every((pid) => !alive(pid)))).toBe(true);
    expect(await listening(server.port)).toBe(false);
    expect(server.output()).not.toContain(key);
  }, 240_000);

  it('stops everything on Ctrl-C (SIGINT to its whole process group, as a terminal sends it)', async () => {
    const server = await npmStart({}, true);
    const tree = descendants(server.child.pid!);
    expect([...tree.values()]).toContain('workerd');
    expect((await fetch(`${server.url}/v1/status/leader`)).status).toBe(200);
    process.kill(-server.child.pid!, 'SIGINT');
    expect(await eventually(() => [...tree.keys(), server.child.pid!].every((pid) => !alive(pid)))).toBe(true);
    expect(await listening(server.port)).toBe(false);
  }, 240_000);

  // The gateway's workers are cluster children of the script: a Ctrl-C reaches them too, a SIGKILL does not.
  it.each([['Ctrl-C to its process group', 'SIGINT'], ['a SIGKILL of npm', 'SIGKILL']] as const)(
    'with BEACON_DNS_PROCESSES=2, leaves none of the gateway processes behind after %s',
    async (_, signal) => {
      const server = await npmStart({ BEACON_DNS_PROCESSES: '2' }, true);
      expect(server.output()).toContain('Beacon DNS:');
      const tree = descendants(server.child.pid!);
      // Cluster workers are the processes started with NODE_UNIQUE_ID in their environment.
      const gatewayWorkers = [...tree.keys()].filter((pid) => readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0').some((v) => v.startsWith('NODE_UNIQUE_ID=')));
      expect(gatewayWorkers).toHaveLength(2);
      if (signal === 'SIGINT') process.kill(-server.child.pid!, 'SIGINT');
      else server.child.kill('SIGKILL');
      expect(await eventually(() => [...tree.keys()].every((pid) => !alive(pid)))).toBe(true);
      expect(await listening(server.port)).toBe(false);
    },
    240_000,
  );
});
