import { describe, expect, it } from 'vitest';
import { blockingReadContract } from '../http/blocking-contract';
import { api, getJson, put, registerService, uniq } from '../test-support';

interface Entry {
  Node: { Node: string; Address: string };
  Service: { ID: string; Tags: string[]; Address: string };
  Checks: { CheckID: string; Status: string }[];
}

async function twoInstances(name: string) {
  await registerService({ ID: `${name}-ok`, Name: name, Tags: ['v1'], Check: { TTL: '1h', Status: 'passing' } });
  await registerService({ ID: `${name}-warn`, Name: name, Check: { TTL: '1h', Status: 'warning' } });
}

describe('GET /v1/health/service/:name', () => {
  it('lists node checks first, then the instance\'s own checks', async () => {
    const name = uniq('svc');
    await twoInstances(name);
    const { body } = await getJson<Entry[]>(`/v1/health/service/${name}`);
    const ok = body.find((e) => e.Service.ID === `${name}-ok`)!;
    expect(ok.Checks.map((c) => c.CheckID)).toEqual(['serfHealth', `service:${name}-ok`]);
  });

  it.each(['', '=1', '=true'])('with ?passing%s drops instances with any non-passing check', async (value) => {
    const name = uniq('svc');
    await twoInstances(name);
    const { body } = await getJson<Entry[]>(`/v1/health/service/${name}?passing${value}`);
    expect(body.map((e) => e.Service.ID)).toEqual([`${name}-ok`]);
  });

  it('returns critical instances without ?passing, and filters by tag', async () => {
    const name = uniq('svc');
    await twoInstances(name);
    expect((await getJson<Entry[]>(`/v1/health/service/${name}`)).body).toHaveLength(2);
    expect((await getJson<Entry[]>(`/v1/health/service/${name}?tag=V1`)).body.map((e) => e.Service.ID)).toEqual([`${name}-ok`]);
  });

  it('refuses a bad ?passing value, a bad index and a bad wait', async () => {
    for (const [query, text] of [['passing=maybe', 'Invalid value for ?passing'], ['index=abc', 'Invalid index'], ['index=1&wait=10x', 'Invalid wait time']]) {
      const res = await api(`/v1/health/service/x?${query}`);
      expect(res.status).toBe(400);
      expect(await res.text()).toBe(text);
    }
  });

  it('supports ?filter over the entry', async () => {
    const name = uniq('svc');
    await twoInstances(name);
    const filter = encodeURIComponent('"v1" in Service.Tags');
    expect((await getJson<Entry[]>(`/v1/health/service/${name}?filter=${filter}`)).body.map((e) => e.Service.ID)).toEqual([`${name}-ok`]);
  });

  it('answers an unfiltered read with the same bytes as a filtered one that keeps everything', async () => {
    const name = uniq('same-bytes');
    await registerService({ ID: `${name}-1`, Name: name, Tags: ['a'], Check: { TTL: '30s' } });
    await registerService({ ID: `${name}-2`, Name: name, Meta: { k: 'v' } });
    const plain = await api(`/v1/health/service/${name}`);
    const filtered = await api(`/v1/health/service/${name}?filter=`);
    expect(plain.headers.get('Content-Type')).toBe('application/json');
    expect(plain.headers.get('X-Consul-Index')).toBe(filtered.headers.get('X-Consul-Index'));
    expect(await plain.text()).toBe(await filtered.text());
  });

  it('sends the headers Consul clients read', async () => {
    const res = await api('/v1/health/service/anything?stale');
    expect(res.headers.get('X-Consul-KnownLeader')).toBe('true');
    // ?stale is answered from the worker's cache: ms since the object confirmed it (worker/cache/).
    expect(res.headers.get('X-Consul-LastContact')).toMatch(/^\d+$/);
    expect(res.headers.get('X-Consul-Effective-Consistency')).toBe('stale');
    expect(res.headers.get('X-Consul-Default-ACL-Policy')).toBe('allow');
    expect(res.headers.get('Content-Type')).toBe('application/json');
    await res.arrayBuffer();
  });
});

describe('checks by node, service and state', () => {
  it('lists a service\'s checks and checks in a state', async () => {
    const name = uniq('svc');
    await twoInstances(name);
    const checks = (await getJson<{ CheckID: string; Status: string }[]>(`/v1/health/checks/${name}`)).body;
    expect(checks.map((c) => c.Status).sort()).toEqual(['passing', 'warning']);
    const warning = (await getJson<{ CheckID: string }[]>('/v1/health/state/warning')).body.map((c) => c.CheckID);
    expect(warning).toContain(`service:${name}-warn`);
    expect(warning).not.toContain(`service:${name}-ok`);
    expect((await getJson('/v1/health/state/unknown')).body).toEqual([]);
  });
});

describe('blocking health reads', () => {
  blockingReadContract('GET /v1/health/service/:name', () => {
    const name = uniq('blk');
    return {
      path: () => `/v1/health/service/${name}?passing=1`,
      setup: () => registerService({ ID: name, Name: name, Check: { TTL: '1h' } }),
      relatedWrite: async () => void (await put(`/v1/agent/check/pass/service:${name}`)),
      unrelatedWrite: () => registerService({ ID: uniq('other'), Name: uniq('other'), Check: { TTL: '1h' } }),
    };
  });

  blockingReadContract('GET /v1/health/checks/:name', () => {
    const name = uniq('blk');
    return {
      path: () => `/v1/health/checks/${name}`,
      setup: () => registerService({ ID: name, Name: name, Check: { TTL: '1h' } }),
      relatedWrite: async () => void (await put(`/v1/agent/check/warn/service:${name}`)),
      unrelatedWrite: () => registerService({ ID: uniq('other'), Name: uniq('other') }),
    };
  });
});

describe('Connect endpoints (Beacon has no service mesh)', () => {
  it.each(['/v1/health/connect/', '/v1/health/ingress/', '/v1/catalog/connect/'])('%s answers an empty list at the service\'s index', async (prefix) => {
    const name = uniq('mesh');
    await registerService({ ID: name, Name: name, Port: 80 });
    const res = await api(`${prefix}${name}`);
    expect([res.status, await res.json()]).toEqual([200, []]);
    expect(Number(res.headers.get('X-Consul-Index'))).toBe((await getJson(`/v1/health/service/${name}`)).index);
  });

  for (const prefix of ['/v1/health/connect/', '/v1/catalog/connect/']) {
    blockingReadContract(`GET ${prefix}:name`, () => {
      const name = uniq('blk');
      return {
        path: () => `${prefix}${name}`,
        setup: () => registerService({ ID: name, Name: name, Check: { TTL: '1h' } }),
        relatedWrite: async () => void (await put(`/v1/agent/check/pass/service:${name}`)),
        unrelatedWrite: () => registerService({ ID: uniq('other'), Name: uniq('other') }),
      };
    });
  }
});
