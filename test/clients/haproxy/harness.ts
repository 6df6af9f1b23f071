// What the HAProxy suite starts and reads: haproxy itself with a generated config (stopped by PID), its
// runtime API (`show servers state` on a stats socket), and small HTTP backends that answer with their name.
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { createServer, request, type Server } from 'node:http';
import { connect } from 'node:net';
import { join } from 'node:path';

export interface HaproxyOptions {
  dir: string;
  frontendPort: number;
  dnsPort: number;
  /** The SRV name of `server-template`, e.g. `_web._tcp.service.consul`. */
  srvName: string;
  slots: number;
}

/** The config a new user writes: one resolvers section on the DNS gateway, one server-template, defaults otherwise. */
export const haproxyConfig = (o: HaproxyOptions) => `
global
  stats socket ${join(o.dir, 'admin.sock')} mode 600 level admin
defaults
  mode http
  timeout connect 2s
  timeout client 10s
  timeout server 10s
resolvers beacon
  nameserver gateway 127.0.0.1:${o.dnsPort}
  accepted_payload_size 8192
  hold valid 1s
  timeout resolve 500ms
  timeout retry 500ms
frontend web
  bind 127.0.0.1:${o.frontendPort}
  default_backend app
backend app
  balance roundrobin
  server-template srv ${o.slots} ${o.srvName} resolvers beacon resolve-prefer ipv4
`;

export interface Haproxy {
  output(): string;
  /** `show servers state app`: one row per server slot, keyed by the header's column names. */
  servers(): Promise<Record<string, string>[]>;
  stop(): Promise<void>;
}

export async function startHaproxy(o: HaproxyOptions): Promise<Haproxy> {
  const cfg = join(o.dir, 'haproxy.cfg');
  await writeFile(cfg, haproxyConfig(o));
  const child: ChildProcess = spawn('haproxy', ['-db', '-f', cfg], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const append = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000));
  child.stdout!.on('data', append);
  child.stderr!.on('data', append);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const socket = join(o.dir, 'admin.sock');
  const haproxy: Haproxy = {
    output: () => output,
    servers: async () => parseServersState(await runtimeApi(socket, 'show servers state app')),
    stop: async () => {
      if (child.exitCode === null && child.pid !== undefined) process.kill(child.pid, 'SIGTERM');
      await exited;
    },
  };
  // Ready once the runtime API answers (or fail with haproxy's own words).
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`haproxy exited (${child.exitCode}):\n${output}`);
    try {
      await haproxy.servers();
      return haproxy;
    } catch (err) {
      if (i > 100) throw new Error(`haproxy's runtime API did not answer: ${err}\n${output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

function runtimeApi(socketPath: string, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let reply = '';
    const s = connect(socketPath, () => s.end(`${command}\n`));
    s.on('data', (chunk) => (reply += chunk.toString()));
    s.once('error', reject);
    s.once('close', () => resolve(reply));
  });
}

/** Line 1 is the format version, line 2 `# <column names>`, then one space-separated row per server. */
export function parseServersState(text: string): Record<string, string>[] {
  const lines = text.trim().split('\n');
  const header = lines.find((l) => l.startsWith('# '));
  if (!header) throw new Error(`no header in show servers state:\n${text}`);
  const columns = header.slice(2).split(' ');
  return lines.filter((l) => l && !l.startsWith('#') && l.includes(' ')).map((l) => Object.fromEntries(l.split(' ').map((v, i) => [columns[i], v])));
}

/** HAProxy's SRV_ADMF_RMAINT: the slot is in MAINT because resolution gave it no address. */
export const RESOLUTION_MAINT = 0x20;

export interface Backend {
  name: string;
  port: number;
  close(): Promise<void>;
}

export async function startBackend(name: string): Promise<Backend> {
  const server: Server = createServer((_req, res) => res.end(name));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { name, port, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** One HTTP request on a fresh connection, so HAProxy balances each one; the body names the backend. */
export function get(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/', agent: false, headers: { connection: 'close' } }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve(`${res.statusCode} ${body}`));
    });
    req.once('error', reject);
    req.end();
  });
}
