import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { api, getJson, put, registerService, uniq } from '../test-support';

type AgentServices = Record<string, Record<string, unknown>>;
type AgentChecks = Record<string, { Status: string; Output: string; Name: string; ServiceID: string; Type: string }>;

describe('/v1/agent/self and friends', () => {
  it('reports the datacenter, node name and session TTL minimum that clients read', async () => {
    const { body } = await getJson<Record<string, Record<string, unknown>>>('/v1/agent/self');
    expect(body.Config).toMatchObject({ Datacenter: 'dc1', NodeName: env.AGENT_NODE, SessionTTLMin: 10_000_000_000 });
    for (const value of Object.values(body)) expect(typeof value).toBe('object');
  });

  it.each(['/v1/agent/host', '/v1/agent/members', '/v1/agent/version'])('answers %s with 200 JSON', async (path) => {
    const res = await api(path);
    expect(res.status).toBe(200);
    expect(res.headers.get('Content-Type')).toContain('application/json');
    await res.json();
  });

  it('lists the agent as the one LAN member, and one server per datacenter as WAN members (consul_exporter reads both)', async () => {
    const member = (name: string, dc: string, port: number) => expect.objectContaining({ Name: name, Port: port, Status: 1, Tags: expect.objectContaining({ dc, build: expect.any(String) }) });
    expect((await getJson('/v1/agent/members')).body).toEqual([member(env.AGENT_NODE, 'dc1', 8301)]);
    const wan = (await getJson<{ Name: string }[]>('/v1/agent/members?wan=1')).body;
    expect(wan).toEqual(['dc1', 'dc2', 'dc3'].map((dc) => member(`${env.AGENT_NODE}.${dc}`, dc, 8302)));
  });
});

describe('PUT /v1/agent/service/register', () => {
  it('derives the check ID, name and critical status of one embedded check', async () => {
    const id = uniq('web');
    await registerService({ ID: id, Name: 'web', Port: 8080, Check: { TTL: '15s' }, Checks: null });
    const checks = (await getJson<AgentChecks>('/v1/agent/checks')).body;
    expect(checks[`service:${id}`]).toMatchObject({ Name: "Service 'web' check", Status: 'critical', ServiceID: id, Type: 'ttl' });
  });

  it('numbers several checks service:<id>:<n>, Check first then Checks', async () => {
    const id = uniq('web');
    await registerService({ ID: id, Name: 'web', Check: { TTL: '10s' }, Checks: [{ TTL: '20s' }, { TTL: '30s' }] });
    const checks = (await getJson<AgentChecks>('/v1/agent/checks')).body;
    expect([1, 2, 3].map((n) => checks[`service:${id}:${n}`]?.Type)).toEqual(['ttl', 'ttl', 'ttl']);
  });

  it('accepts python-consul lowercase keys and snake_case aliases', async () => {
    const id = uniq('py');
    await registerService({ name: 'py', id, port: 1, tags: ['a'], enabletagoverride: true, meta: { Env: 'prod' }, check: { ttl: '10s', deregister_critical_service_after: '1m' } });
    const svc = (await getJson<AgentServices>('/v1/agent/services')).body[id];
    expect(svc).toMatchObject({ Service: 'py', Port: 1, Tags: ['a'], EnableTagOverride: true, Meta: { Env: 'prod' } });
  });

  it('records the caller address for a service registered without one', async () => {
    const id = uniq('fn');
    const res = await put('/v1/agent/service/register', { ID: id, Name: 'fn', Port: 9 }, { 'CF-Connecting-IP': '203.0.113.7' });
    expect(res.status).toBe(200);
    expect((await getJson<AgentServices>(`/v1/agent/services`)).body[id]).toMatchObject({ Address: '203.0.113.7' });
  });

  it('keeps the status of a check that is registered again', async () => {
    const id = uniq('web');
    await registerService({ ID: id, Name: 'web', Check: { TTL: '15s' } });
    await put(`/v1/agent/check/pass/service:${id}?note=up`);
    await registerService({ ID: id, Name: 'web', Tags: ['v2'], Check: { TTL: '15s' } });
    expect((await getJson<AgentChecks>('/v1/agent/checks')).body[`service:${id}`]).toMatchObject({ Status: 'passing', Output: 'up' });
  });

  it('drops checks left out of the new definition only with ?replace-existing-checks', async () => {
    const id = uniq('web');
    await registerService({ ID: id, Name: 'web', Checks: [{ CheckID: `${id}-a`, TTL: '10s' }, { CheckID: `${id}-b`, TTL: '10s' }] });
    await registerService({ ID: id, Name: 'web', Checks: [{ CheckID: `${id}-a`, TTL: '10s' }] });
    expect(Object.keys((await getJson<AgentChecks>('/v1/agent/checks')).body).filter((k) => k.startsWith(id))).toHaveLength(2);
    await put('/v1/agent/service/register?replace-existing-checks', { ID: id, Name: 'web', Checks: [{ CheckID: `${id}-a`, TTL: '10s' }] });
    expect(Object.keys((await getJson<AgentChecks>('/v1/agent/checks')).body).filter((k) => k.startsWith(id))).toEqual([`${id}-a`]);
  });

  it.each([
    ['malformed JSON', '{"Name": "web",', /^Request decode failed: /],
    ['a wrong type', { Name: 'web', Port: 'eighty' }, /^Request decode failed: Port/],
    ['a missing name', { ID: 'x' }, /^Missing service name$/],
    ['a bad duration', { Name: 'bad-duration', Check: { TTL: '10x' } }, /time: invalid duration "10x"/],
    ['a script check', { Name: 'bad-script', Check: { Args: ['/bin/true'], Interval: '10s' } }, /^Invalid check: script/],
    ['a gRPC check', { Name: 'bad-grpc', Check: { GRPC: '127.0.0.1:1', Interval: '10s' } }, /^Invalid check: gRPC/],
    ['TTL and Interval together', { Name: 'bad-both', Check: { TTL: '10s', Interval: '10s', HTTP: 'http://x/' } }, /Interval and TTL cannot both be specified/],
    ['an HTTP check without interval', { Name: 'bad-http', Check: { HTTP: 'http://127.0.0.1/' } }, /Interval must be > 0/],
    ['a check with no kind', { Name: 'bad-kind', Check: { Name: 'x' } }, /TTL must be > 0 for TTL checks/],
    ['an invalid status', { Name: 'bad-status', Check: { TTL: '10s', Status: 'ok' } }, /Status for checks must/],
    ['the 0.0.0.0 address', { Name: 'bad-address', Address: '0.0.0.0' }, /^Invalid service address$/],
    ['zero passing weight', { Name: 'bad-weights', Weights: { Passing: 0, Warning: 0 } }, /^Invalid Weights: Passing must be greater than 0$/],
  ])('refuses %s with a 400 and registers nothing', async (_case, body, message) => {
    const before = await api('/v1/agent/services').then((r) => r.text());
    const res = await put('/v1/agent/service/register', body);
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(message);
    expect(await api('/v1/agent/services').then((r) => r.text())).toBe(before);
  });

  it('refuses a body over 512 KiB with 413 and registers nothing', async () => {
    const name = uniq('huge');
    const res = await put('/v1/agent/service/register', { Name: name, Meta: { blob: 'x'.repeat(600 * 1024) } });
    expect(res.status).toBe(413);
    expect(await res.text()).toMatch(/^Request body\(\d+ bytes\) too large, max size: 524288 bytes/);
    expect((await getJson<AgentServices>('/v1/agent/services')).body[name]).toBeUndefined();
  });

  it('answers 405 with Allow for the wrong method', async () => {
    const res = await api('/v1/agent/service/register');
    expect(res.status).toBe(405);
    expect(res.headers.get('Allow')).toBe('OPTIONS,PUT');
    expect(await res.text()).toBe('method GET not allowed');
  });
});

describe('deregistration, lookup and maintenance', () => {
  it('deregisters an ID containing a slash, sent raw or %2F-encoded', async () => {
    for (const encode of [(s: string) => s, encodeURIComponent]) {
      const id = `${uniq('pg')}/node1`;
      await registerService({ ID: id, Name: 'pg' });
      expect((await api(`/v1/agent/service/${encode(id)}`)).status).toBe(200);
      expect((await put(`/v1/agent/service/deregister/${encode(id)}`)).status).toBe(200);
      expect((await getJson<AgentServices>('/v1/agent/services')).body[id]).toBeUndefined();
    }
  });

  it('answers 404 with Consul\'s text for an unknown service ID', async () => {
    const res = await put('/v1/agent/service/deregister/nope');
    expect(res.status).toBe(404);
    expect(await res.text()).toBe('Unknown service ID "nope". Ensure that the service ID is passed, not the service name.');
    expect((await api('/v1/agent/service/nope')).status).toBe(404);
  });

  it('adds and removes the _service_maintenance check', async () => {
    const id = uniq('web');
    await registerService({ ID: id, Name: 'web' });
    expect((await put(`/v1/agent/service/maintenance/${id}?enable=true&reason=upgrade`)).status).toBe(200);
    const checks = (await getJson<Record<string, { Status: string; Notes?: string }>>('/v1/agent/checks')).body;
    expect(checks[`_service_maintenance:${id}`]).toMatchObject({ Status: 'critical', Notes: 'upgrade' });
    await put(`/v1/agent/service/maintenance/${id}?enable=false`);
    expect((await getJson<AgentChecks>('/v1/agent/checks')).body[`_service_maintenance:${id}`]).toBeUndefined();
    expect((await put(`/v1/agent/service/maintenance/${id}`)).status).toBe(400);
  });

  it('serves the service with a content hash that blocking by ?hash waits on', async () => {
    const id = uniq('web');
    await registerService({ ID: id, Name: 'web' });
    const first = await api(`/v1/agent/service/${id}`);
    const hash = first.headers.get('X-Consul-ContentHash')!;
    expect((await first.json()) as object).toMatchObject({ ID: id, ContentHash: hash });
    const pending = api(`/v1/agent/service/${id}?hash=${hash}&wait=30s`);
    await registerService({ ID: id, Name: 'web', Tags: ['changed'] });
    const next = await pending;
    expect(next.headers.get('X-Consul-ContentHash')).not.toBe(hash);
    await next.arrayBuffer();
  });
});
