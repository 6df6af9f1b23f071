// The npm `consul` client against a local server with three datacenters (scripts/local-federation.json):
// datacenters by distance, per-datacenter registrations, and a prepared query failing over and back.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Consul from 'consul';
import { describe, expect, inject, it } from 'vitest';
import { startLocal } from '../../scripts/start-local';
import { freePort } from './global-setup';

const url = new URL(inject('beaconUrl'));
const consul = new Consul({ host: url.hostname, port: Number(url.port) });
const register = (options: object) => consul.agent.service.register(options as never);
const uniq = (p: string) => `${p}-${crypto.randomUUID().slice(0, 8)}`;

interface Execution { Service: string; Nodes: { Service: { ID: string } }[]; Datacenter: string; Failovers: number; DNS: { TTL: string } }

describe('federation through the npm consul client', () => {
  it('lists the datacenters, the local one first and the rest by distance', async () => {
    expect(await consul.catalog.datacenters()).toEqual(['dc1', 'dc2', 'dc3']);
    expect(await consul.catalog.datacenters({ dc: 'dc3' } as never)).toEqual(['dc3', 'dc2', 'dc1']);
  });

  it('keeps each datacenter\'s registrations to itself', async () => {
    const name = uniq('iso');
    await register({ name, id: `${name}-dc1`, port: 1 });
    await register({ name, id: `${name}-dc2`, port: 2, dc: 'dc2' });
    const inDc1 = (await consul.health.service({ service: name })) as { Service: { ID: string } }[];
    const inDc2 = (await consul.health.service({ service: name, dc: 'dc2' })) as { Service: { ID: string } }[];
    expect([inDc1.map((e) => e.Service.ID), inDc2.map((e) => e.Service.ID)]).toEqual([[`${name}-dc1`], [`${name}-dc2`]]);
    expect(await consul.health.service({ service: name, dc: 'dc3' })).toEqual([]);
    await expect(consul.health.service({ service: name, dc: 'dc9' })).rejects.toThrow(/No path to datacenter/);
  });

  it('creates a prepared query that fails over to the nearest datacenter and comes back', async () => {
    const svc = uniq('pq');
    await register({ name: svc, id: `${svc}-1`, port: 8080, check: { ttl: '30s', status: 'passing' } });
    await register({ name: svc, id: `${svc}-2`, port: 8080, check: { ttl: '30s', status: 'passing' }, dc: 'dc2' });
    const name = uniq('q');
    const { ID } = (await consul.query.create({ name, service: { service: svc, failover: { nearestN: 1 } }, dns: { ttl: '5s' } } as never)) as { ID: string };
    expect((await consul.query.list()) as { ID: string }[]).toContainEqual(expect.objectContaining({ ID, Name: name }));
    expect(await consul.query.get(ID)).toMatchObject({ ID, Service: { Service: svc, Failover: { NearestN: 1 } }, DNS: { TTL: '5s' } });

    const local = (await consul.query.execute(name)) as Execution;
    expect([local.Datacenter, local.Failovers, local.Nodes.map((n) => n.Service.ID)]).toEqual(['dc1', 0, [`${svc}-1`]]);

    await consul.agent.check.fail({ id: `service:${svc}-1`, note: 'down' } as never);
    const failedOver = (await consul.query.execute(ID)) as Execution;
    expect([failedOver.Datacenter, failedOver.Failovers, failedOver.Nodes.map((n) => n.Service.ID)]).toEqual(['dc2', 1, [`${svc}-2`]]);
    expect(failedOver).toMatchObject({ Service: svc, DNS: { TTL: '5s' } });

    await consul.agent.check.pass({ id: `service:${svc}-1` } as never);
    expect(((await consul.query.execute(name)) as Execution).Datacenter).toBe('dc1');

    await consul.query.update({ query: ID, name, service: { service: svc, onlyPassing: true } } as never);
    expect(await consul.query.get(ID)).toMatchObject({ Service: { OnlyPassing: true, Failover: { NearestN: 0 } } });
    // The client has `destroy` (DELETE /v1/query/:id) but its typings leave it out.
    await (consul.query as unknown as { destroy(id: string): Promise<void> }).destroy(ID);
    await expect(consul.query.execute(ID)).rejects.toThrow(/Query not found/);
  });
});

describe('bad FEDERATION configuration', () => {
  it('stops the server at start-up with a clear message', async () => {
    const persistTo = await mkdtemp(join(tmpdir(), 'beacon-bad-federation-'));
    const bad = JSON.stringify({ primary: 'dc9', datacenters: [{ name: 'dc1' }] });
    try {
      await expect(startLocal({ port: await freePort(), persistTo, quiet: true, vars: { FEDERATION: bad } })).rejects.toThrow(
        'Beacon: bad FEDERATION configuration: primary "dc9" is not a declared datacenter (declared: dc1)',
      );
    } finally {
      await rm(persistTo, { recursive: true, force: true });
    }
  });
});
