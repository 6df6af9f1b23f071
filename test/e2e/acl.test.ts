// ACLs end to end: a Beacon started with the deployed settings (ACLs on, default deny) answers nothing
// before bootstrap; then the npm consul client works with a token and is refused without one, and the
// DNS gateway answers only what its token may read.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { promisify } from 'node:util';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Consul from 'consul';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type Gateway } from '../../dns-gateway/main';
import { udpAsk } from '../../dns-gateway/test-client';
import { startLocal, type LocalServer } from '../../scripts/start-local';
import { freePort } from './global-setup';

const uniq = (p: string) => `${p}-${crypto.randomUUID().slice(0, 8)}`;

describe('ACLs with the deployed defaults', () => {
  let server: LocalServer;
  let stateDir: string;
  const gateways: Gateway[] = [];
  let management = '';
  const call = (path: string, init: { method?: string; body?: unknown; token?: string } = {}) =>
    fetch(`${server.url}${path}`, {
      method: init.method ?? (init.body === undefined ? 'GET' : 'PUT'),
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
      headers: init.token ? { 'X-Consul-Token': init.token } : {},
    });

  beforeAll(async () => {
    stateDir = await mkdtemp(join(tmpdir(), 'beacon-acl-e2e-'));
    server = await startLocal({ port: await freePort(), persistTo: stateDir, quiet: !process.env.BEACON_E2E_LOGS, vars: { ACL_ENABLED: 'true', ACL_DEFAULT_POLICY: 'deny' } });
  });
  afterAll(async () => {
    for (const g of gateways) await g.stop();
    await server?.stop();
    if (stateDir) await rm(stateDir, { recursive: true, force: true });
  });

  it('before bootstrap answers nothing but 403s and /v1/status/*', async () => {
    for (const [method, path] of [['GET', '/v1/catalog/services'], ['GET', '/v1/kv/x'], ['PUT', '/v1/agent/check/pass/x'], ['GET', '/v1/agent/self'], ['GET', '/v1/acl/tokens']]) {
      const res = await call(path, { method });
      expect([path, res.status, await res.text()]).toEqual([path, 403, 'ACL system must be bootstrapped before making any requests that require authorization: ACL not found']);
      expect(res.headers.get('X-Consul-Default-ACL-Policy')).toBe('deny');
    }
    expect((await call('/v1/status/leader')).status).toBe(200);
  });

  it("runs docs/acl.md's worked example: bootstrap, policy, token, web-1 registered and db-1 denied", async () => {
    const readme = await readFile(new URL('../../docs/acl.md', import.meta.url), 'utf8');
    const from = readme.indexOf('**Worked example**');
    const script = /```sh\n([\s\S]*?)```/.exec(readme.slice(from))![1].replaceAll('127.0.0.1:8500', new URL(server.url).host);
    const { stdout } = await promisify(execFile)('bash', ['-euo', 'pipefail', '-c', `${script}\necho; echo "MGMT=$MGMT"`]);
    expect(stdout).toMatch(/Permission denied: token with AccessorID '[0-9a-f-]{36}' lacks permission 'service:write' on "db"/);
    management = /MGMT=([0-9a-f-]{36})/.exec(stdout)![1];
    expect((await call('/v1/agent/service/web-1', { token: management })).status).toBe(200);
    expect((await call('/v1/agent/service/db-1', { token: management })).status).toBe(404);
  });

  it('the npm consul client works with its token and is refused without; bootstrap happens once', async () => {
    const anonymous = new Consul({ host: '127.0.0.1', port: server.port });
    await expect(anonymous.acl.bootstrap()).rejects.toThrow(/ACL bootstrap no longer allowed/);

    const web = uniq('web');
    const policy = <{ ID: string }>await (await call('/v1/acl/policy', { token: management, body: { Name: uniq('p'), Rules: `service_prefix "${web}" { policy = "write" }\nnode_prefix "" { policy = "read" }\nkey_prefix "${web}/" { policy = "write" }` } })).json();
    const token = <{ SecretID: string }>await (await call('/v1/acl/token', { token: management, body: { Policies: [{ ID: policy.ID }] } })).json();

    const client = new Consul({ host: '127.0.0.1', port: server.port, defaults: { token: token.SecretID } });
    await client.agent.service.register({ name: web, id: `${web}-1`, check: { ttl: '30s' } } as never);
    await client.agent.check.pass(`service:${web}-1`);
    await client.kv.set(`${web}/config`, 'on');
    expect(((await client.kv.get(`${web}/config`)) as { Value: string }).Value).toBe('on');
    const entries = (await client.health.service({ service: web, passing: true })) as unknown[];
    expect(entries).toHaveLength(1);
    // The client reports any 403 as `forbidden`; the text is Consul's (checked over plain HTTP below).
    await expect(client.agent.service.register({ name: 'db', id: 'db-1' } as never)).rejects.toThrow('forbidden');
    await expect(client.kv.set('other/key', 'x')).rejects.toThrow('forbidden');
    await expect(anonymous.kv.get(`${web}/config`)).rejects.toThrow('forbidden');
    const denied = await call('/v1/agent/service/register', { token: token.SecretID, body: { Name: 'db', ID: 'db-1' } });
    expect(await denied.text()).toMatch(/^Permission denied: token with AccessorID '[0-9a-f-]{36}' lacks permission 'service:write' on "db"$/);

    // The DNS gateway: with a token that may read the service it answers; without one the name does not exist.
    const dnsToken = <{ SecretID: string }>await (await call('/v1/acl/token', { token: management, body: { ServiceIdentities: [{ ServiceName: web }] } })).json();
    const withToken = await startGateway({ port: await freePort(), workerUrl: server.url, token: dnsToken.SecretID }, () => {});
    const without = await startGateway({ port: await freePort(), workerUrl: server.url }, () => {});
    gateways.push(withToken, without);
    const answered = await udpAsk(withToken.port, `${web}.service.consul`, 'A');
    expect([answered.rcode, answered.answer.length]).toEqual(['NOERROR', 1]);
    const hidden = await udpAsk(without.port, `${web}.service.consul`, 'A');
    expect([hidden.rcode, hidden.answer]).toEqual(['NXDOMAIN', []]);
  });
});
