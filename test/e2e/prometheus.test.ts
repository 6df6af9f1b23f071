// Prometheus `consul_sd_configs` (Go api v1.33), replayed over real HTTP as ../shared/consul-api.md §11.1
// describes it: agent/self for the datacenter, a blocking catalog/services watch, then one blocking
// health/service watch per service with no `passing`, computing targets and labels from the entries.
import { describe, expect, inject, it } from 'vitest';

const base = inject('beaconUrl');
const uniq = (p: string) => `${p}-${crypto.randomUUID().slice(0, 8)}`;
const put = async (path: string, body: unknown) => {
  const res = await fetch(`${base}${path}`, { method: 'PUT', body: JSON.stringify(body) });
  expect(res.status, await res.text()).toBe(200);
};
/** One Prometheus request: X-Consul-Token as it sends it, the index it reads back, the JSON body. */
const get = async <T>(path: string) => {
  const res = await fetch(`${base}${path}`, { headers: { 'X-Consul-Token': 'prometheus' } });
  expect(res.status).toBe(200);
  return { index: res.headers.get('X-Consul-Index')!, body: (await res.json()) as T };
};

interface Entry {
  Node: { Node: string; Address: string; Meta: Record<string, string>; TaggedAddresses: Record<string, string> };
  Service: { ID: string; Service: string; Address: string; Port: number; Tags: string[]; Meta: Record<string, string> };
  Checks: { Status: string }[];
}

/** The target and the labels Prometheus derives from one entry (discovery/consul: address, tags, health). */
const target = (e: Entry) => ({
  address: `${e.Service.Address || e.Node.Address}:${e.Service.Port}`,
  node: e.Node.Node,
  tags: `,${e.Service.Tags.join(',')},`,
  health: e.Checks.every((c) => c.Status === 'passing') ? 'passing' : e.Checks.some((c) => c.Status === 'critical') ? 'critical' : 'warning',
  rack: e.Node.Meta.rack,
});

/** Prometheus' catalog loop: re-watch from each answer's index until `done` (other tests register too). */
async function watchCatalog(index: string, done: (names: Record<string, string[]>) => boolean) {
  for (;;) {
    const answer = await get<Record<string, string[]>>(`/v1/catalog/services?index=${index}&wait=120000ms&stale=`);
    expect(BigInt(answer.index)).toBeGreaterThan(BigInt(index));
    if (done(answer.body)) return answer;
    index = answer.index;
  }
}

describe('Prometheus consul_sd flow', () => {
  it('discovers services through blocking catalog and health watches, with stale reads and node-meta', async () => {
    const self = await get<{ Config: { Datacenter: unknown } }>('/v1/agent/self');
    expect(self.body.Config.Datacenter).toBe('dc1');

    const [api, node] = [uniq('api'), uniq('node')];
    const services = await get<Record<string, string[]>>('/v1/catalog/services?stale=');
    const catalogWatch = watchCatalog(services.index, (names) => api in names);
    await put('/v1/catalog/register', {
      Node: node, Address: '10.44.0.1', NodeMeta: { rack: 'r1' },
      Service: { ID: `${api}-1`, Service: api, Port: 9100, Tags: ['metrics', 'prod'], Meta: { scrape: 'true' } },
      Check: { CheckID: `${api}-1:alive`, Name: 'alive', Status: 'passing', ServiceID: `${api}-1` },
    });
    expect((await catalogWatch).body[api]).toEqual(['metrics', 'prod']);

    const first = await get<Entry[]>(`/v1/health/service/${api}?stale=&node-meta=rack:r1`);
    expect(first.body.map(target)).toEqual([{ address: '10.44.0.1:9100', node, tags: ',metrics,prod,', health: 'passing', rack: 'r1' }]);
    expect(first.body[0].Service.Meta).toEqual({ scrape: 'true' });
    expect((await get<Entry[]>(`/v1/health/service/${api}?stale=&node-meta=rack:r2`)).body).toEqual([]);

    // A second instance with its own address, then its check failing: each wakes the service's watch.
    const healthWatch = get<Entry[]>(`/v1/health/service/${api}?index=${first.index}&wait=120000ms&stale=`);
    await put('/v1/catalog/register', {
      Node: node, Address: '10.44.0.1', NodeMeta: { rack: 'r1' },
      Service: { ID: `${api}-2`, Service: api, Address: '10.44.0.2', Port: 9101, Tags: ['metrics'] },
      Check: { CheckID: `${api}-2:alive`, Name: 'alive', Status: 'critical', ServiceID: `${api}-2` },
    });
    const second = await healthWatch;
    expect(BigInt(second.index)).toBeGreaterThan(BigInt(first.index));
    expect(second.body.map(target).sort((a, b) => a.address.localeCompare(b.address))).toEqual([
      { address: '10.44.0.1:9100', node, tags: ',metrics,prod,', health: 'passing', rack: 'r1' },
      { address: '10.44.0.2:9101', node, tags: ',metrics,', health: 'critical', rack: 'r1' },
    ]);

    // A filter (Prometheus' `filter` option) is applied by Beacon, as by Consul.
    const filtered = await get<Entry[]>(`/v1/health/service/${api}?stale=&filter=${encodeURIComponent('Service.Port == 9101')}`);
    expect(filtered.body.map((e) => e.Service.ID)).toEqual([`${api}-2`]);
  });
});
