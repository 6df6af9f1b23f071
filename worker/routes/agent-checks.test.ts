import { describe, expect, it } from 'vitest';
import { api, getJson, put, registerService, uniq } from '../test-support';

type AgentChecks = Record<string, { Status: string; Output: string; ServiceID: string }>;
const checkOf = async (id: string) => (await getJson<AgentChecks>('/v1/agent/checks')).body[id];

describe('TTL updates', () => {
  it.each([
    ['pass', 'passing'],
    ['warn', 'warning'],
    ['fail', 'critical'],
  ])('PUT check/%s sets %s with the note as output', async (verb, status) => {
    const id = uniq('web');
    await registerService({ ID: id, Name: 'web', Check: { TTL: '30s', Status: 'passing' } });
    const res = await put(`/v1/agent/check/${verb}/service:${id}?note=${verb}ed`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('');
    expect(await checkOf(`service:${id}`)).toMatchObject({ Status: status, Output: `${verb}ed` });
  });

  it('takes heartbeats from any caller address, not just the one that registered (go-micro behind NAT)', async () => {
    const id = uniq('greeter');
    await put('/v1/agent/service/register', { ID: id, Name: 'greeter', Check: { TTL: '30s' } }, { 'CF-Connecting-IP': '10.0.0.1' });
    for (const [ip, verb, status] of [['198.51.100.9', 'warn', 'warning'], ['203.0.113.4', 'pass', 'passing']]) {
      expect((await put(`/v1/agent/check/${verb}/service:${id}?note=`, undefined, { 'CF-Connecting-IP': ip })).status).toBe(200);
      expect((await checkOf(`service:${id}`))?.Status).toBe(status);
    }
  });

  it('PUT check/update takes Status and Output from the body', async () => {
    const id = uniq('web');
    await registerService({ ID: id, Name: 'web', Check: { TTL: '30s' } });
    expect((await put(`/v1/agent/check/update/service:${id}`, { Status: 'warning', Output: 'slow' })).status).toBe(200);
    expect(await checkOf(`service:${id}`)).toMatchObject({ Status: 'warning', Output: 'slow' });
    const bad = await put(`/v1/agent/check/update/service:${id}`, { Status: 'meh' });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toBe("Invalid check status: 'meh'");
  });

  it('answers 404 for an unknown check and 500 for a check without TTL', async () => {
    const res = await put('/v1/agent/check/pass/nope');
    expect(res.status).toBe(404);
    expect(await res.text()).toBe('Unknown check ID "nope". Ensure that the check ID is passed, not the check name.');
    const id = uniq('web');
    await registerService({ ID: id, Name: 'web', Check: { HTTP: 'http://127.0.0.1:1/', Interval: '1h' } });
    const noTtl = await put(`/v1/agent/check/pass/service:${id}`);
    expect(noTtl.status).toBe(500);
    expect(await noTtl.text()).toBe(`CheckID "service:${id}" does not have associated TTL`);
  });

  it('refuses GET on the TTL endpoints', async () => {
    expect((await api('/v1/agent/check/pass/x')).status).toBe(405);
  });
});

describe('check register and deregister', () => {
  it('registers a standalone check on a service, defaulting its ID to its name', async () => {
    const id = uniq('web');
    await registerService({ ID: id, Name: 'web' });
    const name = uniq('disk');
    expect((await put('/v1/agent/check/register', { name, serviceid: id, ttl: '10s', status: 'passing' })).status).toBe(200);
    expect(await checkOf(name)).toMatchObject({ Status: 'passing', ServiceID: id });
    expect((await put(`/v1/agent/check/deregister/${name}`)).status).toBe(200);
    expect(await checkOf(name)).toBeUndefined();
  });

  it.each([
    [{ TTL: '10s' }, 400, 'Missing check name'],
    [{ Name: 'x', TTL: '10s', ServiceID: 'no-such-service' }, 404, 'ServiceID "no-such-service" does not exist'],
    [{ Name: 'x', TTL: '10s', Status: 'fine' }, 400, 'Bad check status'],
  ])('refuses %j with %i', async (body, status, text) => {
    const res = await put('/v1/agent/check/register', body);
    expect(res.status).toBe(status);
    expect(await res.text()).toBe(text);
  });
});

describe('/v1/agent/health/service', () => {
  it.each([
    ['passing', 200],
    ['warning', 429],
    ['critical', 503],
  ])('answers a %s service with %i', async (status, code) => {
    const name = uniq('svc');
    await registerService({ ID: name, Name: name, Check: { TTL: '30s', Status: status } });
    const byId = await api(`/v1/agent/health/service/id/${name}`);
    expect(byId.status).toBe(code);
    expect(((await byId.json()) as { AggregatedStatus: string }).AggregatedStatus).toBe(status);
    const byName = await api(`/v1/agent/health/service/name/${name}?format=text`);
    expect(byName.status).toBe(code);
    expect(await byName.text()).toBe(status);
  });

  it('answers 404 for an unknown service', async () => {
    expect((await api('/v1/agent/health/service/id/nope')).status).toBe(404);
    expect(await (await api('/v1/agent/health/service/name/nope')).json()).toEqual([]);
  });
});
