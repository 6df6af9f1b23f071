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
import { RawConnection, type RawResponse } from './raw-http';

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
/** Beacon's answer to a dot segment (worker/http/dot-segments.ts), and the guard's (scripts/path-guard/answers.ts). */
const DOT_ANSWER = { status: 400, body: 'URL path contains invalid or encoded traversal sequence' };
const put = (key: string, value: string) => `PUT /v1/kv/${key} HTTP/1.1\r\nHost: beacon\r\nContent-Length: ${value.length}\r\n\r\n${value}`;

/** The one answer to `request` on a connection of its own. */
async function rawAnswer(port: number, request: string): Promise<RawResponse> {
  const c = await RawConnection.open(port);
  try {
    c.send(request);
    return await c.next();
  } finally {
    c.close();
  }
}

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

  it('is handed `%2e%2e` and `\\` as sent, which it refuses itself (a raw `..` never reaches it: the guard refuses it first)', async () => {
    const prefix = uniq('raw-workerd');
    expect((await raw(port(), 'PUT', `/v1/kv/${prefix}/x`, 'kept')).status).toBe(200);
    for (const target of [`/v1/kv/${prefix}/sub/%2e%2e/x?raw`, `/v1/kv/${prefix}/sub/.%2E/x?raw`, `/v1/kv/${prefix}/sub\\..\\x?raw`]) {
      expect(await raw(port(), 'GET', target), target).toEqual(DOT_ANSWER);
    }
  });
});

describe('the dot-segment guard in front of npm start (scripts/path-guard), over a raw socket', () => {
  const keys = async (prefix: string) => JSON.parse((await raw(port(), 'GET', `/v1/kv/${prefix}/?keys`)).body) as string[];

  it('refuses DELETE …/app/..?recurse with Consul\'s 400, Beacon\'s very answer, and deletes nothing', async () => {
    const prefix = uniq('guard-delete');
    for (const key of ['keep', 'app/x']) expect((await raw(port(), 'PUT', `/v1/kv/${prefix}/${key}`, key)).status).toBe(200);
    const encoded = await rawAnswer(port(), `DELETE /v1/kv/${prefix}/app/%2e%2e?recurse HTTP/1.1\r\nHost: beacon\r\n\r\n`);
    for (const target of [`${prefix}/app/..?recurse`, `${prefix}/app/.?recurse`, `${prefix}/app/..`, `${prefix}/app/x/../..?recurse`, `${prefix}/app/.%2e?recurse`]) {
      expect(await rawAnswer(port(), `DELETE /v1/kv/${target} HTTP/1.1\r\nHost: beacon\r\n\r\n`), target).toEqual(encoded);
    }
    expect(encoded).toMatchObject({ status: 400, body: DOT_ANSWER.body, headers: { 'x-consul-default-acl-policy': 'allow' } });
    expect(await keys(prefix)).toEqual([`${prefix}/app/x`, `${prefix}/keep`]);
  });

  it('refuses a raw `.` or `..` segment for every method and changes nothing', async () => {
    const prefix = uniq('guard-methods');
    expect((await raw(port(), 'PUT', `/v1/kv/${prefix}/b`, 'kept')).status).toBe(200);
    for (const [method, target] of [['GET', '/v1/kv/a/./b'], ['GET', `/v1/kv/${prefix}/a/../b?raw`], ['PUT', `/v1/kv/${prefix}/a/../b`], ['PUT', `/v1/kv/${prefix}/./c`], ['DELETE', `/v1/kv/${prefix}/.`], ['POST', '/v1/txn/.'], ['PUT', `/v1/agent/service/register/..`]]) {
      expect(await raw(port(), method, target, method === 'GET' ? '' : 'changed'), `${method} ${target}`).toEqual(DOT_ANSWER);
    }
    expect(await raw(port(), 'HEAD', `/v1/kv/${prefix}/x/../b`)).toEqual({ status: 400, body: '' });
    expect(await keys(prefix)).toEqual([`${prefix}/b`]);
    expect((await raw(port(), 'GET', `/v1/kv/${prefix}/b?raw`)).body).toBe('kept');
  });

  it('answers the requests after a refused one on the same connection, one by one and pipelined', async () => {
    const prefix = uniq('guard-keepalive');
    const c = await RawConnection.open(port());
    try {
      c.send(put(`${prefix}/x`, 'one'));
      expect((await c.next()).status).toBe(200);
      c.send(`DELETE /v1/kv/${prefix}/x/..?recurse HTTP/1.1\r\nHost: beacon\r\n\r\n`);
      expect(await c.next()).toMatchObject(DOT_ANSWER);
      c.send(`GET /v1/kv/${prefix}/x?raw HTTP/1.1\r\nHost: beacon\r\n\r\n`);
      expect(await c.next()).toMatchObject({ status: 200, body: 'one' });
      // All at once: a refused request (with a body that holds a request line) between ones that pass.
      const smuggled = `DELETE /v1/kv/${prefix}?recurse HTTP/1.1\r\nHost: beacon\r\n\r\n`;
      c.send(
        put(`${prefix}/y`, 'two') +
          `PUT /v1/kv/${prefix}/y/../x HTTP/1.1\r\nHost: beacon\r\nContent-Length: ${smuggled.length}\r\n\r\n${smuggled}` +
          `GET /v1/kv/${prefix}/y?raw HTTP/1.1\r\nHost: beacon\r\n\r\n` +
          `GET /v1/kv/${prefix}/./x?raw HTTP/1.1\r\nHost: beacon\r\n\r\n` +
          `GET /v1/kv/${prefix}/x?raw HTTP/1.1\r\nHost: beacon\r\n\r\n`,
      );
      const answers = [await c.next(), await c.next(), await c.next(), await c.next(), await c.next()];
      expect(answers.map((a) => [a.status, a.body])).toEqual([[200, 'true'], [400, DOT_ANSWER.body], [200, 'two'], [400, DOT_ANSWER.body], [200, 'one']]);
    } finally {
      c.close();
    }
    expect(await keys(prefix)).toEqual([`${prefix}/x`, `${prefix}/y`]);
  });

  it('passes a chunked PUT whose body holds `/..` and request lines through untouched, byte for byte', async () => {
    const prefix = uniq('guard-chunked');
    const body = `DELETE /v1/kv/app/..?recurse HTTP/1.1\r\nHost: beacon\r\n\r\n/../..\\..\\%2e%2e\r\n0\r\n\r\n`;
    const chunks = [body.slice(0, 7), body.slice(7, 40), body.slice(40)];
    const c = await RawConnection.open(port());
    try {
      c.send(`PUT /v1/kv/${prefix}/body HTTP/1.1\r\nHost: beacon\r\nTransfer-Encoding: chunked\r\n\r\n`);
      for (const chunk of chunks) c.send(`${chunk.length.toString(16)}\r\n${chunk}\r\n`);
      c.send('0\r\n\r\n');
      expect(await c.next()).toMatchObject({ status: 200, body: 'true' });
      c.send(`GET /v1/kv/${prefix}/body?raw HTTP/1.1\r\nHost: beacon\r\n\r\n`);
      expect((await c.next()).body).toBe(body);
    } finally {
      c.close();
    }
  });

  it('Expect: 100-continue: a request that passes goes through (workerd sends no 100; clients send the body after a wait); a refused one gets the 400 at once and the connection ends', async () => {
    const prefix = uniq('guard-expect');
    const c = await RawConnection.open(port());
    try {
      c.send(`PUT /v1/kv/${prefix}/x HTTP/1.1\r\nHost: beacon\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n`);
      c.send('kept');
      expect(await c.next()).toMatchObject({ status: 200, body: 'true' });
      c.send(`PUT /v1/kv/${prefix}/y/../x HTTP/1.1\r\nHost: beacon\r\nExpect: 100-continue\r\nContent-Length: 7\r\n\r\n`);
      expect(await c.next()).toMatchObject({ ...DOT_ANSWER, headers: { connection: 'close' } });
      expect(await c.closed()).toBe(true);
    } finally {
      c.close();
    }
    expect((await raw(port(), 'GET', `/v1/kv/${prefix}/x?raw`)).body).toBe('kept');
  });

  it('HTTP/1.0: passes a request through, and closes after refusing one', async () => {
    const prefix = uniq('guard-http10');
    expect((await raw(port(), 'PUT', `/v1/kv/${prefix}/x`, 'kept')).status).toBe(200);
    expect(await rawAnswer(port(), `GET /v1/kv/${prefix}/x?raw HTTP/1.0\r\nHost: beacon\r\n\r\n`)).toMatchObject({ status: 200, body: 'kept' });
    const c = await RawConnection.open(port());
    try {
      c.send(`DELETE /v1/kv/${prefix}/x/.. HTTP/1.0\r\nHost: beacon\r\n\r\n`);
      expect(await c.next()).toMatchObject(DOT_ANSWER);
      expect(await c.closed()).toBe(true);
    } finally {
      c.close();
    }
    expect(await keys(prefix)).toEqual([`${prefix}/x`]);
  });

  it('answers a head workerd could frame otherwise (two Content-Lengths) with 400 and closes, forwarding none of it', async () => {
    const prefix = uniq('guard-framing');
    const c = await RawConnection.open(port());
    try {
      c.send(`PUT /v1/kv/${prefix}/x HTTP/1.1\r\nHost: beacon\r\nContent-Length: 3\r\nContent-Length: 40\r\n\r\nabcDELETE /v1/kv/${prefix}/../..?recurse HTTP/1.1\r\n\r\n`);
      expect(await c.next()).toMatchObject({ status: 400, body: '400 Bad Request', headers: { connection: 'close' } });
      expect(await c.closed()).toBe(true);
    } finally {
      c.close();
    }
    expect((await raw(port(), 'GET', `/v1/kv/${prefix}/x`)).status).toBe(404);
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

  it('behind the guard, resolves `..` and `%2e%2e` in its proxy, which Beacon cannot tell from a plain path (docs/deploying.md)', async () => {
    // A read shows it without harm: the request names <prefix>/sub/../x and gets <prefix>/x. Deployed,
    // Cloudflare's URL normalisation does the same unless turned off (docs/api.md "Bad input").
    const prefix = uniq('raw-folded');
    expect((await raw(server.runtimePort, 'PUT', `/v1/kv/${prefix}/x`, 'folded')).status).toBe(200);
    for (const target of [`/v1/kv/${prefix}/sub/../x?raw`, `/v1/kv/${prefix}/sub/%2e%2e/x?raw`, `/v1/kv/${prefix}/sub/.%2E/x?raw`, `/v1/kv/${prefix}/sub\\..\\x?raw`]) {
      expect((await raw(server.runtimePort, 'GET', target)).body, target).toBe('folded');
    }
  });

  it('with the guard in front (npm run dev\'s port), refuses every form with Consul\'s 400 and deletes nothing', async () => {
    const prefix = uniq('raw-dev-guard');
    for (const key of ['keep', 'app/x']) expect((await raw(server.port, 'PUT', `/v1/kv/${prefix}/${key}`, key)).status).toBe(200);
    for (const target of [`${prefix}/app/..?recurse`, `${prefix}/app/%2e%2e?recurse`, `${prefix}/app/.%2E?recurse`, `${prefix}/app\\..?recurse`, `${prefix}/app/.?recurse`]) {
      expect(await raw(server.port, 'DELETE', `/v1/kv/${target}`), target).toEqual(DOT_ANSWER);
    }
    expect(JSON.parse((await raw(server.port, 'GET', `/v1/kv/${prefix}/?keys`)).body)).toEqual([`${prefix}/app/x`, `${prefix}/keep`]);
  });
});
