import { describe, expect, it } from 'vitest';
import { blockingReadContract } from '../http/blocking-contract';
import { api, getJson, put, registerService, uniq } from '../test-support';

const register = (body: Record<string, unknown>) => put('/v1/catalog/register', body);

describe('PUT /v1/catalog/register and deregister', () => {
  it('registers a node with a service and a check, answering true', async () => {
    const node = uniq('node');
    const res = await register({
      Node: node, Address: '10.1.0.1', NodeMeta: { rack: 'r1' },
      Service: { Service: 'db', Port: 5432, Tags: ['primary'] },
      Check: { Name: 'db alive', ServiceID: 'db', Status: 'passing' },
    });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('true');
    const { body } = await getJson<{ Node: { Address: string; Meta: object }; Services: Record<string, { Port: number }> }>(`/v1/catalog/node/${node}`);
    expect(body.Node).toMatchObject({ Address: '10.1.0.1', Meta: { rack: 'r1' } });
    expect(body.Services.db.Port).toBe(5432);
    const checks = (await getJson<{ CheckID: string; Status: string }[]>(`/v1/health/node/${node}`)).body;
    expect(checks).toEqual([expect.objectContaining({ CheckID: 'db alive', Status: 'passing' })]);
  });

  it.each([
    [{ Address: '10.0.0.1' }, 'Must provide node'],
    [{ Node: 'n' }, 'Must provide address if SkipNodeUpdate is not set'],
    [{ Node: 'n', Address: '10.0.0.1', ID: 'not-a-uuid' }, 'Bad node ID: invalid UUID "not-a-uuid"'],
    [{ Node: 'n', Address: '10.0.0.1', Service: { ID: 'x' } }, 'Must provide service name with ID'],
    [{ Node: 'n', Address: '10.0.0.1', Check: { Name: 'c', ServiceID: 'missing' } }, 'Missing service registration'],
  ])('refuses %j with 500 and Consul\'s text', async (body, text) => {
    const res = await register(body);
    expect(res.status).toBe(500);
    expect(await res.text()).toBe(text);
  });

  it.each([
    ['zero weights, as Go\'s api always sends them', { Passing: 0, Warning: 0 }, { Passing: 1, Warning: 1 }],
    ['a negative warning weight', { Passing: 3, Warning: -1 }, { Passing: 1, Warning: 1 }],
    ['valid weights', { Passing: 3, Warning: 2 }, { Passing: 3, Warning: 2 }],
  ])('stores %s as Consul does (invalid ones become the default)', async (_case, given, stored) => {
    const node = uniq('node');
    const res = await register({ Node: node, Address: '10.1.0.9', Service: { Service: 'w', Port: 1, Weights: given } });
    expect(await res.text()).toBe('true');
    const { body } = await getJson<{ ServiceWeights: object }[]>(`/v1/catalog/service/w?filter=${encodeURIComponent(`Node == "${node}"`)}`);
    expect(body.map((s) => s.ServiceWeights)).toEqual([stored]);
  });

  it('writes nothing when a check in the request is refused', async () => {
    const node = uniq('node');
    const res = await register({ Node: node, Address: '10.0.0.1', Check: { Name: 'c', ServiceID: 'missing' } });
    expect(res.status).toBe(500);
    expect(await (await api(`/v1/catalog/node/${node}`)).text()).toBe('null');
  });

  it('deregisters a service, then the whole node', async () => {
    const node = uniq('node');
    await register({ Node: node, Address: '10.0.0.2', Service: { Service: 'cache', ID: 'cache-1' } });
    await put('/v1/catalog/deregister', { Node: node, ServiceID: 'cache-1' });
    expect((await getJson<{ Services: object }>(`/v1/catalog/node/${node}`)).body.Services).toEqual({});
    await put('/v1/catalog/deregister', { Node: node });
    const gone = await api(`/v1/catalog/node/${node}`);
    expect(gone.status).toBe(200);
    expect(await gone.text()).toBe('null');
  });
});

describe('catalog reads', () => {
  it('lists services as name → union of tags', async () => {
    const name = uniq('svc');
    await registerService({ ID: `${name}-1`, Name: name, Tags: ['a', 'b'] });
    await registerService({ ID: `${name}-2`, Name: name, Tags: ['b', 'c'] });
    const { body } = await getJson<Record<string, string[]>>('/v1/catalog/services');
    expect(body[name].sort()).toEqual(['a', 'b', 'c']);
  });

  it('matches service names case-insensitively and filters by every ?tag', async () => {
    const name = uniq('svc');
    await registerService({ ID: `${name}-1`, Name: name, Tags: ['Primary', 'v1'] });
    await registerService({ ID: `${name}-2`, Name: name, Tags: ['v1'] });
    const all = await getJson<{ ServiceID: string }[]>(`/v1/catalog/service/${name.toUpperCase()}`);
    expect(all.body).toHaveLength(2);
    const tagged = await getJson<{ ServiceID: string }[]>(`/v1/catalog/service/${name}?tag=primary&tag=v1`);
    expect(tagged.body.map((s) => s.ServiceID)).toEqual([`${name}-1`]);
  });

  it('applies ?node-meta and ?filter', async () => {
    const node = uniq('node');
    await register({ Node: node, Address: '10.0.0.3', NodeMeta: { env: 'prod' }, Service: { Service: 'meta-svc', Port: 1 } });
    const byMeta = await getJson<{ Node: string }[]>('/v1/catalog/nodes?node-meta=env:prod');
    expect(byMeta.body.map((n) => n.Node)).toContain(node);
    const filtered = await getJson<{ Node: string }[]>(`/v1/catalog/nodes?filter=${encodeURIComponent(`Node == "${node}"`)}`);
    expect(filtered.body.map((n) => n.Node)).toEqual([node]);
    const bad = await api('/v1/catalog/nodes?filter=Node%20%3D%3D');
    expect(bad.status).toBe(400);
    expect(await bad.text()).toMatch(/^Failed to create boolean expression evaluator: /);
  });

  it('lists the datacenters (the test server declares three) and answers [] rather than 404 for an unknown service', async () => {
    expect((await getJson('/v1/catalog/datacenters')).body).toEqual(['dc1', 'dc2', 'dc3']);
    const res = await getJson('/v1/catalog/service/never-registered');
    expect(res.status).toBe(200);
    expect(res.body).toEqual([]);
  });

  it('refuses an unknown datacenter as Consul does', async () => {
    const res = await api('/v1/catalog/services?dc=nowhere');
    expect(res.status).toBe(500);
    expect(await res.text()).toBe('No path to datacenter');
  });
});

describe('blocking catalog reads', () => {
  blockingReadContract('GET /v1/catalog/service/:name', () => {
    const name = uniq('blk');
    return {
      path: () => `/v1/catalog/service/${name}`,
      setup: () => registerService({ ID: `${name}-1`, Name: name }),
      relatedWrite: () => registerService({ ID: `${name}-2`, Name: name }),
      unrelatedWrite: () => registerService({ ID: uniq('other'), Name: uniq('other') }),
    };
  });

  blockingReadContract('GET /v1/catalog/nodes', () => ({
    path: () => '/v1/catalog/nodes',
    relatedWrite: async () => void (await register({ Node: uniq('node'), Address: '10.9.0.1' })),
    unrelatedWrite: () => registerService({ ID: uniq('other'), Name: uniq('other') }),
  }));

  blockingReadContract('GET /v1/catalog/services', () => {
    const name = uniq('blk');
    return {
      path: () => '/v1/catalog/services',
      setup: () => registerService({ ID: name, Name: name, Check: { TTL: '1h' } }),
      relatedWrite: () => registerService({ ID: uniq('other'), Name: uniq('other') }),
      unrelatedWrite: async () => void (await put(`/v1/agent/check/pass/service:${name}`)),
    };
  });
});
