// Requests sent with their paths exactly as written (node:http), since every WHATWG client resolves dot segments before
// sending: what each local layer does with `..`, `%2e%2e` and `\`, and what Beacon answers (issue 9).
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startLocal, type LocalServer } from '../../scripts/start-local';
import { freePort } from './global-setup';

interface Answer {
  status: number;
  body: string;
}

/** Sends `method target` exactly as written (node:http keeps the path as given), with an optional body, HEAD included. */
function raw(port: number, method: string, target: string, body = ''): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path: target, agent: false, headers: { 'Content-Length': Buffer.byteLength(body) } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** The workerd binary wrangler runs (the `workerd` package's default export is its path). */
const workerdBinary = (createRequire(import.meta.url)('workerd') as { default: string }).default;
const port = () => Number(new URL(inject('beaconUrl')).port);
const uniq = (prefix: string) => `${prefix}-${Math.random().toString(36).slice(2, 10)}`;

describe('the workerd binary (what a deployed worker is handed when the edge does not normalise)', () => {
  it('resolves raw `.` and `..` segments itself but hands `%2e` forms and backslashes over untouched', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'beacon-workerd-'));
    const listen = await freePort();
    await writeFile(join(dir, 'echo.js'), 'export default { fetch: (r) => new Response(r.url) };');
    await writeFile(join(dir, 'config.capnp'), `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (services = [(name = "main", worker = .w)], sockets = [(name = "http", address = "127.0.0.1:${listen}", http = (), service = "main")]);
const w :Workerd.Worker = (modules = [(name = "echo.js", esModule = embed "echo.js")], compatibilityDate = "2026-04-01");
`);
    const child = spawn(workerdBinary, ['serve', join(dir, 'config.capnp')], { stdio: 'ignore' });
    try {
      let seen: Answer | undefined;
      for (let i = 0; i < 100 && !seen; i++) seen = await raw(listen, 'GET', '/').catch(() => sleep(100).then(() => undefined));
      const urls = await Promise.all(['/v1/kv/a/..?recurse', '/v1/kv/a/./b', '/v1/kv/a/%2e%2e', '/v1/kv/a/.%2E/b', '/v1/kv/a\\..\\b'].map(async (t) => (await raw(listen, 'GET', t)).body));
      expect(urls.map((u) => u.replace(`http://127.0.0.1:${listen}`, ''))).toEqual(['/v1/kv/?recurse', '/v1/kv/a/b', '/v1/kv/a/%2e%2e', '/v1/kv/a/.%2E/b', '/v1/kv/a\\..\\b']);
    } finally {
      child.kill('SIGTERM');
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('Beacon under npm start (plain workerd), over a raw socket', () => {
  it('answers HEAD as GET without a body and writes nothing, even with a body', async () => {
    const prefix = uniq('raw-head');
    expect((await raw(port(), 'PUT', `/v1/kv/${prefix}/a`, 'kept')).status).toBe(200);
    const create = await raw(port(), 'POST', '/v1/query', JSON.stringify({ Name: prefix, Service: { Service: 'web' } }));
    const { ID: id } = JSON.parse(create.body) as { ID: string };
    const stored = (await raw(port(), 'GET', `/v1/query/${id}`)).body;

    for (const target of [`/v1/kv/${prefix}/a`, `/v1/kv/${prefix}?recurse`, '/v1/kv/?recurse', `/v1/query/${id}`, `/v1/query/${prefix}`, `/v1/query/${id}/execute`]) {
      const head = await raw(port(), 'HEAD', target, JSON.stringify({ Name: 'replaced', Service: { Service: 'api' } }));
      const get = await raw(port(), 'GET', target);
      expect([head.status, head.body], `HEAD ${target}`).toEqual([get.status, '']);
    }
    expect((await raw(port(), 'GET', `/v1/kv/${prefix}/a?raw`)).body).toBe('kept');
    expect((await raw(port(), 'GET', `/v1/query/${id}`)).body).toBe(stored);
  });

  it('refuses a `..` key segment behind encoded slashes for every method and changes nothing', async () => {
    const prefix = uniq('raw-dots');
    expect((await raw(port(), 'PUT', `/v1/kv/${prefix}/x`, 'kept')).status).toBe(200);
    for (const [method, target] of [['GET', `${prefix}%2F..%2Fx`], ['PUT', `${prefix}/sub%2F..%2Fx`], ['DELETE', `${prefix}/sub%2F..?recurse`], ['DELETE', `${prefix}/..%5Cx`]]) {
      const answer = await raw(port(), method, `/v1/kv/${target}`, method === 'PUT' ? 'changed' : '');
      expect([answer.status, answer.body], `${method} ${target}`).toEqual([400, 'key contains path traversal sequence']);
    }
    expect((await raw(port(), 'GET', `/v1/kv/${prefix}/x?raw`)).body).toBe('kept');
  });

  it('is handed a raw `..` already resolved by workerd, but `%2e%2e` and `\\` as sent, which it refuses (docs/deploying.md)', async () => {
    const prefix = uniq('raw-workerd');
    expect((await raw(port(), 'PUT', `/v1/kv/${prefix}/x`, 'folded')).status).toBe(200);
    expect((await raw(port(), 'GET', `/v1/kv/${prefix}/sub/../x?raw`)).body).toBe('folded');
    for (const target of [`/v1/kv/${prefix}/sub/%2e%2e/x?raw`, `/v1/kv/${prefix}/sub/.%2E/x?raw`, `/v1/kv/${prefix}/sub\\..\\x?raw`]) {
      expect(await raw(port(), 'GET', target), target).toEqual({ status: 400, body: 'URL path contains invalid or encoded traversal sequence' });
    }
  });
});

describe('Beacon under npm run dev (wrangler dev), over a raw socket', () => {
  let server: LocalServer;
  const persistTo = mkdtemp(join(tmpdir(), 'beacon-raw-dev-'));
  beforeAll(async () => {
    server = await startLocal({ port: await freePort(), persistTo: await persistTo, quiet: true, runtime: 'wrangler' });
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
    await rm(await persistTo, { recursive: true, force: true });
  });

  it('is handed `..` and `%2e%2e` already resolved by wrangler dev\'s proxy, which Beacon cannot tell from a plain path (docs/deploying.md)', async () => {
    // A read shows it without harm: the request names <prefix>/sub/../x and gets <prefix>/x. Deployed,
    // Cloudflare's URL normalisation does the same unless turned off (docs/api.md "Bad input").
    const prefix = uniq('raw-folded');
    expect((await raw(server.port, 'PUT', `/v1/kv/${prefix}/x`, 'folded')).status).toBe(200);
    for (const target of [`/v1/kv/${prefix}/sub/../x?raw`, `/v1/kv/${prefix}/sub/%2e%2e/x?raw`, `/v1/kv/${prefix}/sub/.%2E/x?raw`]) {
      expect((await raw(server.port, 'GET', target)).body, target).toBe('folded');
    }
  });
});
