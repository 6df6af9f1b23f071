// The npm `consul` client, pointed at a started Beacon over real HTTP, works unchanged: register with a
// TTL check, pass/fail it, health reads with and without `passing`, blocking queries and watches, events,
// prepared query templates.
import Consul from 'consul';
import { describe, expect, inject, it } from 'vitest';

const url = new URL(inject('beaconUrl'));
const consul = new Consul({ host: url.hostname, port: Number(url.port) });
// The client's typings demand check fields (name, timeout) that Consul itself does not require.
const register = (options: object) => consul.agent.service.register(options as never);
const uniq = (p: string) => `${p}-${crypto.randomUUID().slice(0, 8)}`;

interface Entry { Service: { ID: string }; Checks: { CheckID: string; Status: string; Output: string }[] }

async function indexOf(path: string): Promise<number> {
  const res = await fetch(`${url.origin}${path}`);
  await res.arrayBuffer();
  return Number(res.headers.get('X-Consul-Index'));
}

/** Next `change` event of a consul.watch, then the watch is ended. */
function nextChange<T>(watch: ReturnType<typeof consul.watch>, predicate: (data: T) => boolean): Promise<T> {
  return new Promise((resolve, reject) => {
    watch.on('change', (data: T) => predicate(data) && (watch.end(), resolve(data)));
    watch.on('error', (err: Error) => (watch.end(), reject(err)));
  });
}

describe('the npm consul client against Beacon', () => {
  it('registers with a TTL check, passes and fails it, and reads health with and without passing', async () => {
    const name = uniq('web');
    await register({ name, id: `${name}-1`, port: 8080, check: { ttl: '30s' } });
    await register({ name, id: `${name}-2`, port: 8081, check: { ttl: '30s' } });
    await consul.agent.check.pass({ id: `service:${name}-1`, note: 'fine' });
    await consul.agent.check.fail({ id: `service:${name}-2`, note: 'broken' });

    const all = (await consul.health.service({ service: name })) as Entry[];
    expect(all.map((e) => e.Service.ID).sort()).toEqual([`${name}-1`, `${name}-2`]);
    const passing = (await consul.health.service({ service: name, passing: true })) as Entry[];
    expect(passing.map((e) => e.Service.ID)).toEqual([`${name}-1`]);
    expect(passing[0].Checks.find((c) => c.CheckID === `service:${name}-1`)).toMatchObject({ Status: 'passing', Output: 'fine' });

    const checks = (await consul.agent.check.list()) as Record<string, { Status: string }>;
    expect(checks[`service:${name}-2`].Status).toBe('critical');
    const nodes = (await consul.catalog.service.nodes(name)) as { ServicePort: number }[];
    expect(nodes.map((n) => n.ServicePort).sort()).toEqual([8080, 8081]);
    expect(Object.keys((await consul.catalog.service.list()) as object)).toContain(name);
  });

  it('answers a blocking health query when the service changes, and waits out one without a change', async () => {
    const name = uniq('blk');
    await register({ name, id: name, check: { ttl: '30s' } });
    const index = await indexOf(`/v1/health/service/${name}`);

    const started = Date.now();
    const unchanged = await fetch(`${url.origin}/v1/health/service/${name}?index=${index}&wait=1s`);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(Number(unchanged.headers.get('X-Consul-Index'))).toBe(index);
    await unchanged.arrayBuffer();

    const pending = fetch(`${url.origin}/v1/health/service/${name}?index=${index}&wait=30s`);
    await consul.agent.check.pass({ id: `service:${name}` });
    const changed = await pending;
    expect(Number(changed.headers.get('X-Consul-Index'))).toBeGreaterThan(index);
    expect(((await changed.json()) as Entry[])[0].Checks.at(-1)?.Status).toBe('passing');
  });

  it('lets consul.watch see a deregistration', async () => {
    const name = uniq('watched');
    await register({ name, id: name, port: 1 });
    const watch = consul.watch({ method: consul.health.service, options: { service: name, wait: '10s' } as never });
    const gone = nextChange<Entry[]>(watch, (entries) => entries.length === 0);
    await new Promise((r) => setTimeout(r, 300));
    await consul.agent.service.deregister(name);
    expect(await gone).toEqual([]);
  });

  it('fires user events and lets consul.watch on event.list see a new one', async () => {
    const name = uniq('deploy');
    const fired = (await consul.event.fire(name, 'v1')) as { ID: string; Name: string; Payload: string };
    expect([fired.Name, fired.Payload]).toEqual([name, 'v1']);
    const watch = consul.watch({ method: consul.event.list, options: { name, wait: '10s' } as never });
    const next = nextChange<{ Payload: string }[]>(watch, (events) => events.length === 2);
    await new Promise((r) => setTimeout(r, 300));
    await consul.event.fire(name, 'v2');
    // The watch hands over the raw list (the client decodes Payload only for a direct event.list call).
    expect((await next).map((e) => atob(e.Payload))).toEqual(['v1', 'v2']);
    expect(((await consul.event.list(name)) as { Payload: string }[]).map((e) => e.Payload)).toEqual(['v1', 'v2']);
  });

  it('creates a prepared query template and executes it by a name it prefixes', async () => {
    const name = uniq('cache');
    await register({ name, id: `${name}-1`, port: 6379, tags: ['primary'] });
    const prefix = `${uniq('geo')}-`;
    await consul.query.create({ name: prefix, template: { type: 'name_prefix_match', regexp: `^${prefix}(.+?)-(\\w+)$` }, service: { service: '${match(1)}', tags: ['${match(2)}'] } } as never);
    const result = (await consul.query.execute(`${prefix}${name}-primary`)) as { Service: string; Nodes: Entry[] };
    expect([result.Service, result.Nodes.map((n) => n.Service.ID)]).toEqual([name, [`${name}-1`]]);
  });

  it('reads agent self and the leader', async () => {
    const self = (await consul.agent.self()) as { Config: { Datacenter: string } };
    expect(self.Config.Datacenter).toBe('dc1');
    expect(await consul.status.leader()).toMatch(/:8300$/);
  });
});
