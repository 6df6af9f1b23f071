import { describe, expect, it } from 'vitest';
import { blockingReadContract } from '../http/blocking-contract';
import { api, getJson, put, registerService, uniq } from '../test-support';

type Session = { ID: string; Name: string; Node: string; LockDelay: number; Behavior: string; TTL: string; NodeChecks: string[]; ServiceChecks: unknown };

async function create(body?: unknown): Promise<string> {
  const res = await put('/v1/session/create', body);
  if (res.status !== 200) throw new Error(`create: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { ID: string }).ID;
}
const info = async (id: string) => (await getJson<Session[]>(`/v1/session/info/${id}`)).body;

describe('PUT /v1/session/create', () => {
  it('creates a session on the agent node with Consul\'s defaults', async () => {
    const id = await create();
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(await info(id)).toEqual([expect.objectContaining({
      ID: id, Name: '', Node: 'beacon', LockDelay: 15_000_000_000, Behavior: 'release', TTL: '', NodeChecks: ['serfHealth'], ServiceChecks: null,
    })]);
  });

  it('takes python-consul\'s lower-case keys, Patroni\'s empty check list and a tiny lock delay', async () => {
    const id = await create({ name: 'patroni', ttl: '15.0s', lockdelay: '0.001s', behavior: 'delete', checks: [] });
    expect(await info(id)).toEqual([expect.objectContaining({ Name: 'patroni', TTL: '15.0s', LockDelay: 1_000_000, Behavior: 'delete', NodeChecks: [] })]);
  });

  it('reads a numeric LockDelay below 1000 as seconds, as Consul does', async () => {
    const id = await create({ LockDelay: 5 });
    expect((await info(id))[0].LockDelay).toBe(5_000_000_000);
  });

  it.each([
    [{ TTL: '5s' }, 500, "Invalid Session TTL '5000000000', must be between [10s=24h0m0s]"],
    [{ TTL: '25h' }, 500, "Invalid Session TTL '90000000000000', must be between [10s=24h0m0s]"],
    [{ TTL: 'soon' }, 500, 'Session TTL \'soon\' invalid: time: invalid duration "soon"'],
    [{ Behavior: 'explode' }, 500, "Invalid Behavior setting 'explode'"],
    [{ Node: 'no-such-node' }, 500, 'Missing node registration'],
    [{ NodeChecks: ['no-such-check'] }, 500, "Missing check 'no-such-check' registration"],
    ['{"Name":', 400, 'Request decode failed: unexpected EOF'],
  ])('refuses %j with %i and creates nothing', async (body, status, text) => {
    const before = (await getJson<Session[]>('/v1/session/list')).body.length;
    const res = await put('/v1/session/create', body);
    expect(res.status).toBe(status);
    expect(await res.text()).toBe(text);
    expect((await getJson<Session[]>('/v1/session/list')).body.length).toBe(before);
  });
});

describe('renew, destroy, info, node, list', () => {
  it('renews a live session and answers 404 once it is gone', async () => {
    const id = await create({ TTL: '10s' });
    const renewed = await put(`/v1/session/renew/${id}`);
    expect(renewed.status).toBe(200);
    expect(((await renewed.json()) as Session[])[0]).toMatchObject({ ID: id, TTL: '10s' });
    expect(await (await put(`/v1/session/destroy/${id}`)).text()).toBe('true');
    const gone = await put(`/v1/session/renew/${id}`);
    expect(gone.status).toBe(404);
    expect(await gone.text()).toBe(`Session id '${id}' not found`);
    expect(await info(id)).toEqual([]);
    expect(await (await put(`/v1/session/destroy/${id}`)).text()).toBe('true');
  });

  it.each([
    ['PUT', '/v1/session/destroy/', 400, 'Missing session'],
    ['PUT', '/v1/session/renew/not-a-uuid', 500, 'UUID must be 36 characters'],
    ['GET', '/v1/session/info/not-a-uuid', 500, 'UUID must be 36 characters'],
    ['GET', '/v1/session/node/', 400, 'Missing node name'],
    ['GET', '/v1/session/create', 405, 'method GET not allowed'],
  ])('%s %s → %i', async (method, path, status, text) => {
    const res = await api(path, { method });
    expect(res.status).toBe(status);
    expect(await res.text()).toBe(text);
  });

  it('lists sessions overall and by node', async () => {
    const name = uniq('s');
    const id = await create({ Name: name });
    expect((await getJson<Session[]>('/v1/session/list')).body.map((s) => s.ID)).toContain(id);
    expect((await getJson<Session[]>('/v1/session/node/beacon')).body.map((s) => s.ID)).toContain(id);
    expect((await getJson<Session[]>('/v1/session/node/elsewhere')).body).toEqual([]);
  });

  it('invalidates a session whose service check is failed through the agent, releasing its lock', async () => {
    const svc = uniq('locked');
    await registerService({ ID: svc, Name: svc, Check: { TTL: '30s', Status: 'passing' } });
    const id = await create({ NodeChecks: ['serfHealth'], ServiceChecks: [{ ID: `service:${svc}` }] });
    const key = uniq('leader');
    expect(await (await put(`/v1/kv/${key}?acquire=${id}`, 'me')).text()).toBe('true');
    expect((await put(`/v1/agent/check/fail/service:${svc}`)).status).toBe(200);
    expect(await info(id)).toEqual([]);
    const [entry] = (await getJson<{ Session?: string; LockIndex: number }[]>(`/v1/kv/${key}`)).body;
    expect(entry.Session).toBeUndefined();
    expect(entry.LockIndex).toBe(1);
  });
});

describe('blocking session reads', () => {
  blockingReadContract('GET /v1/session/list', () => ({
    path: () => '/v1/session/list',
    relatedWrite: async () => void (await create()),
    unrelatedWrite: async () => void (await put(`/v1/kv/${uniq('unrelated')}`, 'x')),
  }));

  blockingReadContract('GET /v1/session/info/<id>', () => {
    let id = '';
    return {
      path: () => `/v1/session/info/${id}`,
      setup: async () => void (id = await create()),
      relatedWrite: async () => void (await put(`/v1/session/destroy/${id}`)),
      unrelatedWrite: async () => void (await put(`/v1/kv/${uniq('unrelated')}`, 'x')),
    };
  });
});
