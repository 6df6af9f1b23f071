// Three datacenters in one server (vitest.config.ts): each its own Datacenter object, chosen by ?dc= or
// by the request's region.
import { env, SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { api, getJson, put, registerService, uniq } from '../test-support';

const inDc = (path: string, dc: string) => `${path}${path.includes('?') ? '&' : '?'}dc=${dc}`;
const ids = (entries: { Service: { ID: string } }[]) => entries.map((e) => e.Service.ID).sort();

describe('?dc= routes a request to that datacenter', () => {
  it('keeps registrations apart: each datacenter sees only its own', async () => {
    const name = uniq('iso');
    await registerService({ ID: `${name}-1`, Name: name });
    const res = await put(inDc('/v1/agent/service/register', 'dc2'), { ID: `${name}-2`, Name: name });
    expect(res.status).toBe(200);
    expect(ids((await getJson<{ Service: { ID: string } }[]>(`/v1/health/service/${name}`)).body)).toEqual([`${name}-1`]);
    expect(ids((await getJson<{ Service: { ID: string } }[]>(`/v1/health/service/${name}?dc=dc1`)).body)).toEqual([`${name}-1`]);
    expect(ids((await getJson<{ Service: { ID: string } }[]>(`/v1/health/service/${name}?dc=dc2`)).body)).toEqual([`${name}-2`]);
    expect((await getJson(`/v1/catalog/service/${name}?dc=dc3`)).body).toEqual([]);
    const services = (await getJson<Record<string, unknown>>('/v1/agent/services?dc=DC2')).body;
    expect(Object.keys(services)).toContain(`${name}-2`);
    expect(Object.keys(services)).not.toContain(`${name}-1`);
  });

  it('answers an unknown datacenter with Consul\'s 500', async () => {
    for (const path of ['/v1/catalog/services?dc=dc9', '/v1/health/service/x?dc=nope', '/v1/query?dc=dc4']) {
      const res = await api(path);
      expect(res.status).toBe(500);
      expect(await res.text()).toBe('No path to datacenter');
    }
  });

  it('reports each datacenter\'s own name in agent/self, nodes and services', async () => {
    for (const dc of ['dc1', 'dc2', 'dc3']) {
      const self = (await getJson<{ Config: { Datacenter: string; PrimaryDatacenter: string }; Member: { Tags: { dc: string } } }>(`/v1/agent/self?dc=${dc}`)).body;
      expect([self.Config.Datacenter, self.Config.PrimaryDatacenter, self.Member.Tags.dc]).toEqual([dc, 'dc1', dc]);
      const nodes = (await getJson<{ Datacenter: string }[]>(`/v1/catalog/nodes?dc=${dc}`)).body;
      expect(nodes.every((n) => n.Datacenter === dc)).toBe(true);
    }
  });

  it('lists datacenters with the request\'s own first, then nearest first', async () => {
    expect((await getJson('/v1/catalog/datacenters')).body).toEqual(['dc1', 'dc2', 'dc3']);
    expect((await getJson('/v1/catalog/datacenters?dc=dc3')).body).toEqual(['dc3', 'dc2', 'dc1']);
  });

  it('defaults to the datacenter of the request\'s region (request.cf), else the primary', async () => {
    const fromEurope = await SELF.fetch('http://beacon.test/v1/agent/self', { cf: { continent: 'EU', country: 'DE', colo: 'FRA' } } as RequestInit);
    expect(((await fromEurope.json()) as { Config: { Datacenter: string } }).Config.Datacenter).toBe('dc3');
    const fromAmerica = await SELF.fetch('http://beacon.test/v1/agent/self', { cf: { continent: 'NA', country: 'US' } } as RequestInit);
    expect(((await fromAmerica.json()) as { Config: { Datacenter: string } }).Config.Datacenter).toBe('dc1');
  });

  it('places each datacenter in its own object, named after it', async () => {
    const dc2 = env.DATACENTER_OBJECT.getByName('dc2');
    expect((await dc2.agentInfo()).datacenter).toBe('dc2');
  });
});

describe('blocking queries with ?dc=', () => {
  it('wake on a write in that datacenter, and not on one in another', async () => {
    const name = uniq('blk');
    await put(inDc('/v1/agent/service/register', 'dc2'), { ID: `${name}-a`, Name: name });
    const first = await api(`/v1/health/service/${name}?dc=dc2`);
    const index = Number(first.headers.get('X-Consul-Index'));
    await first.arrayBuffer();

    // The same service changing in dc1 and dc3 leaves the dc2 watcher parked until its wait ends.
    const unrelated = api(`/v1/health/service/${name}?dc=dc2&index=${index}&wait=400ms`);
    await registerService({ ID: `${name}-dc1`, Name: name });
    await put(inDc('/v1/agent/service/register', 'dc3'), { ID: `${name}-dc3`, Name: name });
    const timedOut = await unrelated;
    expect(Number(timedOut.headers.get('X-Consul-Index'))).toBe(index);
    expect(ids((await timedOut.json()) as { Service: { ID: string } }[])).toEqual([`${name}-a`]);

    const pending = api(`/v1/health/service/${name}?dc=dc2&index=${index}&wait=30s`);
    const started = Date.now();
    await put(inDc('/v1/agent/service/register', 'dc2'), { ID: `${name}-b`, Name: name });
    const woken = await pending;
    expect(Date.now() - started).toBeLessThan(5000);
    expect(Number(woken.headers.get('X-Consul-Index'))).toBeGreaterThan(index);
    expect(ids((await woken.json()) as { Service: { ID: string } }[])).toEqual([`${name}-a`, `${name}-b`]);
  });
});
