// `npm start -config-dir DIR`: the launcher reads Consul agent service files (cli/config/) and registers
// them through Beacon's agent HTTP API. It also listens on 127.0.0.1 for the worker's reload call
// (`PUT /v1/agent/reload` → CONFIG_RELOAD_URL), re-reads the directory and applies the difference:
// new and changed services and checks are (re)registered, ones whose file no longer defines them are
// deregistered. A file that fails to load is reported and left as it was: nothing of it is registered,
// and what it registered before stays.
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { loadDir } from '../cli/config/load';

/** Per file, the service and check IDs it registered (kept in the state dir so restarts can clean up). */
type Registered = Record<string, { services: string[]; checks: string[] }>;

export interface ConfigDir {
  /** Re-reads the directory; resolves with the load errors (empty when every file loaded). */
  sync(): Promise<string[]>;
  reloadUrl: string;
  stop(): Promise<void>;
}

async function call(beaconUrl: string, path: string, body?: unknown, token?: string): Promise<void> {
  const res = await fetch(`${beaconUrl}${path}`, {
    method: 'PUT', body: body === undefined ? undefined : JSON.stringify(body), headers: token ? { 'X-Consul-Token': token } : {},
  });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${(await res.text()).trim()}`);
}

export async function startConfigDir(dir: string, statePath: string, beaconUrl: () => string): Promise<ConfigDir> {
  let registered: Registered = {};
  try {
    registered = JSON.parse(readFileSync(statePath, 'utf8'));
  } catch {
    /* first run */
  }
  let queue = Promise.resolve<string[]>([]);
  const syncOnce = async (): Promise<string[]> => {
    const url = beaconUrl();
    const errors: string[] = [];
    const next: Registered = {};
    for (const result of loadDir(dir)) {
      if (result.error) {
        errors.push(result.error);
        if (registered[result.file]) next[result.file] = registered[result.file];
        continue;
      }
      const mine = { services: [] as string[], checks: [] as string[] };
      try {
        for (const s of result.definitions!.services) {
          await call(url, '/v1/agent/service/register?replace-existing-checks=true', s.body, s.token);
          mine.services.push(String(s.body.ID ?? s.body.Name));
        }
        for (const c of result.definitions!.checks) {
          await call(url, '/v1/agent/check/register', c.body, c.token);
          mine.checks.push(String(c.body.ID));
        }
      } catch (err) {
        errors.push(`Error registering from ${result.file}: ${(err as Error).message}`);
      }
      next[result.file] = mine;
    }
    const keep = new Set(Object.values(next).flatMap((r) => r.services));
    const keepChecks = new Set(Object.values(next).flatMap((r) => r.checks));
    for (const r of Object.values(registered)) {
      for (const id of r.services) if (!keep.has(id)) await call(url, `/v1/agent/service/deregister/${encodeURIComponent(id)}`).catch(() => {});
      for (const id of r.checks) if (!keepChecks.has(id)) await call(url, `/v1/agent/check/deregister/${encodeURIComponent(id)}`).catch(() => {});
    }
    registered = next;
    writeFileSync(statePath, JSON.stringify(registered));
    for (const e of errors) console.error(e);
    return errors;
  };
  const sync = () => (queue = queue.then(syncOnce, syncOnce));
  const server: Server = createServer((req, res) => {
    if (req.method !== 'PUT') {
      res.writeHead(405).end();
      return;
    }
    sync().then(
      (errors) => res.writeHead(errors.length ? 500 : 200, { 'Content-Type': 'text/plain' }).end(errors.join('\n')),
      (err: Error) => res.writeHead(500, { 'Content-Type': 'text/plain' }).end(`Failed reloading services: ${err.message}`),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { sync, reloadUrl: `http://127.0.0.1:${port}/reload`, stop: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** `-config-dir DIR`, `--config-dir=DIR` (any dash count) or BEACON_CONFIG_DIR. */
export function configDirArg(argv: string[], env: NodeJS.ProcessEnv): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const m = /^--?config-dir(?:=(.*))?$/.exec(argv[i]);
    if (m) return m[1] ?? argv[i + 1];
  }
  return env.BEACON_CONFIG_DIR || undefined;
}
