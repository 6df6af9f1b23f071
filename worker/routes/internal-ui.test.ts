import { describe, expect, it } from 'vitest';
import type { NodeInfo, ServiceListingSummary } from '../consul/ui';
import { blockingReadContract } from '../http/blocking-contract';
import { api, getJson, put, uniq } from '../test-support';

/** Registers `service` on `node` through the catalog, with one check per status given (node checks when `nodeCheck`). */
async function register(node: string, service: { ID: string; Service: string; Tags?: string[]; Meta?: Record<string, string> } | null, checks: { CheckID: string; Status: string; ServiceID?: string }[] = []) {
  const res = await put('/v1/catalog/register', {
    Node: node, Address: '10.0.0.1', NodeMeta: { env: 'test' },
    ...(service ? { Service: { Port: 80, ...service } } : {}),
    Checks: checks.map((c) => ({ Name: c.CheckID, ...c })),
  });
  expect(res.status).toBe(200);
}

describe('GET /v1/internal/ui/services', () => {
  it('summarises each service: instances, sorted tags and nodes, check counts over unique (node, check) pairs', async () => {
    const [svc, n1, n2] = [uniq('web'), uniq('n1'), uniq('n2')];
    await register(n1, { ID: `${svc}-1`, Service: svc, Tags: ['v2', 'v1'], Meta: { 'external-source': 'k8s' } },
      [{ CheckID: 'serfHealth', Status: 'passing' }, { CheckID: 'c1', Status: 'critical', ServiceID: `${svc}-1` }]);
    await register(n1, { ID: `${svc}-2`, Service: svc, Tags: ['v1'] }, [{ CheckID: 'c2', Status: 'passing', ServiceID: `${svc}-2` }]);
    await register(n2, { ID: `${svc}-3`, Service: svc }, [{ CheckID: 'c3', Status: 'warning', ServiceID: `${svc}-3` }]);
    const { status, index, body } = await getJson<ServiceListingSummary[]>(`/v1/internal/ui/services?filter=${encodeURIComponent(`Service.Service == "${svc}"`)}`);
    expect(status).toBe(200);
    expect(index).toBeGreaterThan(0);
    expect(body).toEqual([{
      Name: svc, Datacenter: 'dc1', Tags: ['v1', 'v2'], Nodes: [n1, n2].sort(), ExternalSources: ['k8s'], InstanceCount: 3,
      ChecksPassing: 2, ChecksWarning: 1, ChecksCritical: 1, GatewayConfig: {}, TransparentProxy: false, ConnectNative: false,
      ConnectedWithProxy: false, ConnectedWithGateway: false,
    }]);
  });

  it.each([
    ['Tags is null and ExternalSources is null when no instance has any', (s: ServiceListingSummary) => s.Tags === null && s.ExternalSources === null],
  ])('%s', async (_, holds) => {
    const [svc, node] = [uniq('bare'), uniq('n')];
    await register(node, { ID: svc, Service: svc });
    const { body } = await getJson<ServiceListingSummary[]>(`/v1/internal/ui/services?filter=${encodeURIComponent(`Service.Service == "${svc}"`)}`);
    expect(body).toHaveLength(1);
    expect(holds(body[0])).toBe(true);
  });

  it('applies ?filter= to instances before summarising', async () => {
    const [svc, node] = [uniq('f'), uniq('n')];
    await register(node, { ID: `${svc}-a`, Service: svc, Tags: ['a'] });
    await register(node, { ID: `${svc}-b`, Service: svc, Tags: ['b'] });
    const { body } = await getJson<ServiceListingSummary[]>(`/v1/internal/ui/services?filter=${encodeURIComponent(`Service.Service == "${svc}" and "a" in Service.Tags`)}`);
    expect(body.map((s) => [s.InstanceCount, s.Tags])).toEqual([[1, ['a']]]);
  });

  it('answers a bad filter with 400 and the evaluator text', async () => {
    const res = await api('/v1/internal/ui/services?filter=%3D%3D');
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('Failed to create boolean expression evaluator');
  });

  blockingReadContract('GET /v1/internal/ui/services', () => {
    const [svc, node] = [uniq('blk'), uniq('n')];
    return {
      path: () => '/v1/internal/ui/services',
      setup: () => register(node, { ID: svc, Service: svc }, [{ CheckID: 'c', Status: 'passing', ServiceID: svc }]),
      relatedWrite: () => register(node, { ID: svc, Service: svc }, [{ CheckID: 'c', Status: 'critical', ServiceID: svc }]),
      unrelatedWrite: async () => void (await put(`/v1/kv/${uniq('k')}`, 'v')),
    };
  });
});

describe('GET /v1/internal/ui/nodes and /node/:node', () => {
  it('lists NodeInfo with services and checks, [] never null', async () => {
    const [a, b, svc] = [uniq('a'), uniq('b'), uniq('s')];
    await register(a, { ID: svc, Service: svc }, [{ CheckID: 'serfHealth', Status: 'passing' }]);
    await register(b, null);
    const { body } = await getJson<NodeInfo[]>(`/v1/internal/ui/nodes?filter=${encodeURIComponent(`Node == "${a}" or Node == "${b}"`)}`);
    const byName = Object.fromEntries(body.map((n) => [n.Node, n]));
    expect(Object.keys(byName).sort()).toEqual([a, b].sort());
    expect(byName[a]).toMatchObject({ Node: a, Address: '10.0.0.1', Meta: { env: 'test' }, Services: [{ ID: svc, Service: svc }], Checks: [{ CheckID: 'serfHealth', Status: 'passing' }] });
    expect(byName[b]).toMatchObject({ Services: [], Checks: [] });
    expect(Object.keys(byName[a]).sort()).toEqual(['Address', 'Checks', 'ID', 'Meta', 'Node', 'Services', 'TaggedAddresses']);
  });

  it.each([
    ['an unknown node: 404 with an empty body', () => `/v1/internal/ui/node/${uniq('missing')}`, 404, ''],
    ['no node name: 400 Missing node name', () => '/v1/internal/ui/node/', 400, 'Missing node name'],
  ])('%s', async (_, path, status, text) => {
    const res = await api(path());
    expect(res.status).toBe(status);
    expect(await res.text()).toBe(text);
  });

  it('answers one node with its services and checks', async () => {
    const [node, svc] = [uniq('n'), uniq('s')];
    await register(node, { ID: svc, Service: svc }, [{ CheckID: 'c', Status: 'warning', ServiceID: svc }]);
    const { status, body } = await getJson<NodeInfo>(`/v1/internal/ui/node/${node}`);
    expect(status).toBe(200);
    expect(body).toMatchObject({ Node: node, Services: [{ ID: svc }], Checks: [{ CheckID: 'c', Status: 'warning', ServiceID: svc }] });
  });

  it('refuses other methods with 405', async () => {
    const res = await api('/v1/internal/ui/nodes', { method: 'PUT' });
    expect(res.status).toBe(405);
  });

  for (const path of ['/v1/internal/ui/nodes', '/v1/internal/ui/node/']) {
    blockingReadContract(`GET ${path}`, () => {
      const node = uniq('blk');
      return {
        path: () => (path.endsWith('/') ? `${path}${node}` : path),
        setup: () => register(node, null, [{ CheckID: 'serfHealth', Status: 'passing' }]),
        relatedWrite: () => register(node, null, [{ CheckID: 'serfHealth', Status: 'critical' }]),
        unrelatedWrite: async () => void (await put(`/v1/kv/${uniq('k')}`, 'v')),
      };
    });
  }
});
