// The request sequences of go-micro's and go-kit's Consul registries, replayed over real HTTP, with
// go-kit's HTTP and TCP checks run by the Durable Object against servers this test starts.
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createTcpServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, inject, it } from 'vitest';

const base = inject('beaconUrl');
const uniq = (p: string) => `${p}-${crypto.randomUUID().slice(0, 8)}`;
const put = (path: string, body?: unknown, headers: Record<string, string> = {}) =>
  fetch(`${base}${path}`, { method: 'PUT', headers, body: body === undefined ? undefined : JSON.stringify(body) });
const get = async <T>(path: string) => {
  const res = await fetch(`${base}${path}`);
  return { status: res.status, index: Number(res.headers.get('X-Consul-Index')), body: (await res.json()) as T };
};
interface Entry { Service: { ID: string; Address: string; Port: number }; Checks: { Status: string }[] }

/** Polls `read` (bounded) until `done` holds; the checks run on 1 s intervals. */
async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await sleep(200);
  }
}

const servers: Server[] = [];
afterAll(() => servers.forEach((s) => s.close()));

describe("go-micro's registry flow", () => {
  it('registers with a TTL check, heartbeats (from any IP), is listed as passing, and deregisters on stop', async () => {
    expect((await fetch(`${base}/v1/agent/host`)).status).toBe(200);
    const id = uniq('greeter');
    const registration = {
      ID: id, Name: 'greeter', Tags: ['v-312e30', 'e-7b7d', 't-7b7d'], Port: 9090, Address: '127.0.0.1',
      Meta: { registry: 'consul' }, Check: { TTL: '30s', DeregisterCriticalServiceAfter: '1m5s' }, Checks: null,
    };
    expect((await put('/v1/agent/service/register', registration)).status).toBe(200);
    for (const ip of ['10.0.0.1', '198.51.100.9', '203.0.113.4']) {
      expect((await put(`/v1/agent/check/pass/service:${id}?note=`, undefined, { 'CF-Connecting-IP': ip })).status).toBe(200);
    }
    const checks = await get<{ ServiceID: string; Status: string }[]>('/v1/health/checks/greeter?stale=');
    expect(checks.body.find((c) => c.ServiceID === id)?.Status).toBe('passing');
    const healthy = await get<Entry[]>('/v1/health/service/greeter?passing&stale=');
    expect(healthy.body.find((e) => e.Service.ID === id)?.Service).toMatchObject({ Address: '127.0.0.1', Port: 9090 });
    expect(Object.keys((await get<object>('/v1/catalog/services?stale=')).body)).toContain('greeter');

    expect((await put(`/v1/agent/service/deregister/${id}`)).status).toBe(200);
    expect((await get<Entry[]>('/v1/health/service/greeter')).body.find((e) => e.Service.ID === id)).toBeUndefined();
    expect((await get<{ ServiceID: string }[]>('/v1/health/checks/greeter')).body.find((c) => c.ServiceID === id)).toBeUndefined();
  });
});

describe("go-kit's registrar and instancer flow", () => {
  it('follows an HTTP check from critical to passing to warning to critical through blocking reads', async () => {
    let status = 200;
    const server = createHttpServer((_req, res) => res.writeHead(status).end('state'));
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    const name = uniq('kit');
    await put('/v1/agent/service/register', { ID: name, Name: name, Address: '127.0.0.1', Port: port, Check: { HTTP: `http://127.0.0.1:${port}/health`, Interval: '1s' } });

    const first = await get<Entry[]>(`/v1/health/service/${name}?passing=1&index=0`);
    expect(first.index).toBeGreaterThanOrEqual(1);
    const passing = await until(() => get<Entry[]>(`/v1/health/service/${name}?passing=1&index=0`), (r) => r.body.length === 1);
    expect(passing.body).toHaveLength(1);

    status = 429;
    const warned = await get<Entry[]>(`/v1/health/service/${name}?passing=1&index=${passing.index}&wait=15s`);
    expect(warned.index).toBeGreaterThan(passing.index);
    expect(warned.body).toEqual([]);
    expect((await get<Entry[]>(`/v1/health/service/${name}`)).body[0].Checks.at(-1)?.Status).toBe('warning');

    status = 500;
    const critical = await until(() => get<Entry[]>(`/v1/health/service/${name}`), (r) => r.body[0].Checks.at(-1)?.Status === 'critical');
    expect(critical.body[0].Checks.at(-1)?.Status).toBe('critical');
    await put(`/v1/agent/service/deregister/${name}`);
  });

  it('runs a TCP check that passes while the port listens and turns critical once it closes', async () => {
    const server = createTcpServer((socket) => socket.end());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    const name = uniq('tcp');
    await put('/v1/agent/service/register', { ID: name, Name: name, Port: port, Check: { TCP: `127.0.0.1:${port}`, Interval: '1s', Timeout: '1s' } });
    const up = await until(() => get<Entry[]>(`/v1/health/service/${name}?passing`), (r) => r.body.length === 1);
    expect(up.body).toHaveLength(1);
    await new Promise((r) => server.close(r));
    const down = await until(() => get<Entry[]>(`/v1/health/service/${name}`), (r) => r.body[0].Checks.at(-1)?.Status === 'critical');
    expect(down.body[0].Checks.at(-1)?.Status).toBe('critical');
    await put(`/v1/agent/service/deregister/${name}`);
  });
});
