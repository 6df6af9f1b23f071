// The seed tutorial's flow: `-config-dir` with mysrv.json (an HTTP check against a real local server), the
// service answered by `dig … SRV` through the DNS gateway, the file edited, `beacon reload`, the change
// visible; a bad file named in the error and registering nothing; a removed file's service gone.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type Gateway } from '../../dns-gateway/main';
import { startConfigDir, type ConfigDir } from '../../scripts/config-dir';
import { startLocal, type LocalServer } from '../../scripts/start-local';
import { freePort } from '../../test/e2e/global-setup';
import { beacon } from '../test-support';

const exec = promisify(execFile);
let dir: string;
let state: string;
let beaconServer: LocalServer;
let configDir: ConfigDir;
let gateway: Gateway;
let health: Server;
let healthPort: number;

const mysrv = (port: number, tags: string[]) => JSON.stringify({
  service: { name: 'mysrv', port, tags, check: { http: `http://127.0.0.1:${healthPort}/health`, interval: '1s' } },
});

async function dig(name: string): Promise<string[]> {
  const { stdout } = await exec('dig', ['@127.0.0.1', '-p', String(gateway.port), name, 'SRV', '+short', '+tries=1', '+time=5']);
  return stdout.trim().split('\n').filter(Boolean).sort();
}

/** Polls until `read` returns something `done` accepts (an active check's first run is asynchronous). */
async function until<T>(read: () => Promise<T>, done: (v: T) => boolean): Promise<T> {
  for (let i = 0; ; i++) {
    const v = await read();
    if (done(v) || i > 120) return v;
    await sleep(500);
  }
}

beforeAll(async () => {
  health = createServer((_req, res) => res.end('ok'));
  await new Promise<void>((resolve) => health.listen(0, '127.0.0.1', resolve));
  healthPort = (health.address() as { port: number }).port;
  dir = await mkdtemp(join(tmpdir(), 'beacon-config-'));
  state = await mkdtemp(join(tmpdir(), 'beacon-seed-'));
  await writeFile(join(dir, 'mysrv.json'), mysrv(8080, ['v1']));
  await writeFile(join(dir, 'web.hcl'), 'services {\n  name = "web"\n  port = 9090\n  tags = ["a", "b"]\n}\nservices {\n  id = "web-2"\n  name = "web"\n  port = 9091\n}\n');
  configDir = await startConfigDir(dir, join(state, 'config-dir.json'), () => beaconServer.url);
  beaconServer = await startLocal({ port: await freePort(), persistTo: state, quiet: true, vars: { CONFIG_RELOAD_URL: configDir.reloadUrl } });
  expect(await configDir.sync()).toEqual([]);
  gateway = await startGateway({ host: '127.0.0.1', port: 0, workerUrl: beaconServer.url }, () => {});
}, 120_000);

afterAll(async () => {
  await gateway?.stop();
  await beaconServer?.stop();
  await configDir?.stop();
  await new Promise((resolve) => health?.close(resolve));
  await rm(dir, { recursive: true, force: true });
  await rm(state, { recursive: true, force: true });
});

describe('config-dir service files', () => {
  it('registers mysrv.json with its HTTP check, answers dig SRV, and applies an edit on beacon reload', async () => {
    const passing = await until(() => fetch(`${beaconServer.url}/v1/health/service/mysrv?passing`).then((r) => r.json() as Promise<unknown[]>), (l) => l.length === 1);
    expect(passing).toHaveLength(1);
    expect(await dig('mysrv.service.consul')).toEqual([expect.stringMatching(/^1 1 8080 \S+\.dc1\.consul\.$/)]);
    const services = await beacon(beaconServer.url, ['catalog', 'services', '-tags']);
    expect(services.stdout).toMatch(/^mysrv +v1\nweb +a,b\n$/m);

    await writeFile(join(dir, 'mysrv.json'), mysrv(8181, ['v2']));
    expect(await beacon(beaconServer.url, ['reload'])).toMatchObject({ code: 0, stdout: 'Configuration reload triggered\n' });
    expect(await dig('mysrv.service.consul')).toEqual([expect.stringMatching(/^1 1 8181 \S+\.dc1\.consul\.$/)]);
    expect((await beacon(beaconServer.url, ['catalog', 'services', '-tags'])).stdout).toMatch(/^mysrv +v2$/m);
  });

  it('reports a bad file by name, registers nothing from it, and removes services whose file is gone', async () => {
    await writeFile(join(dir, 'bad.json'), JSON.stringify({ service: { name: 'badsrv', port: 1, EnableTagOverride: true } }));
    const reload = await beacon(beaconServer.url, ['reload']);
    expect(reload.code).toBe(1);
    expect(reload.stderr).toContain(`Error loading ${join(dir, 'bad.json')}: invalid config key service.EnableTagOverride`);
    await unlink(join(dir, 'web.hcl'));
    await unlink(join(dir, 'bad.json'));
    expect((await beacon(beaconServer.url, ['reload'])).code).toBe(0);
    const names = Object.keys(await (await fetch(`${beaconServer.url}/v1/catalog/services`)).json() as object);
    expect(names).toContain('mysrv');
    expect(names).not.toContain('web');
    expect(names).not.toContain('badsrv');
  });
});
