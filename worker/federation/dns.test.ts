// DNS through the federation, answered by worker/dns against the real Datacenter objects of the three
// test datacenters: `.service.<dc>.consul` and `.query[.<dc>].consul` with failover.
import { env, SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { Sources } from '../dns/answer';
import { respond } from '../dns/message';
import { decodeReply, query, sorted } from '../dns/zone-text';
import { api, put, uniq } from '../test-support';
import { datacenterSource } from './dns';

const settings = { serviceTtl: () => 0, nodeTtl: 0, onlyPassing: false, now: () => 1_700_000_000_000 };

/** What /dns-query builds per request: a source per declared datacenter, dc1 by default. */
const sources: Sources = (dc) => datacenterSource(env, dc ?? 'dc1');

async function ask(name: string, type: string) {
  const reply = await respond(query(name, type), sources, settings);
  return decodeReply(reply!.bytes);
}

async function registerIn(dc: string, id: string, name: string, address: string, status: string): Promise<string> {
  const node = uniq('n');
  const res = await put(`/v1/catalog/register?dc=${dc}`, {
    Node: node, Address: address, Service: { ID: id, Service: name, Port: 8080 }, Check: { CheckID: `${id}-check`, Name: 'c', Status: status, ServiceID: id },
  });
  expect(res.status).toBe(200);
  return node;
}

describe('DNS across datacenters', () => {
  it('answers <svc>.service.<dc>.consul from that datacenter only', async () => {
    const svc = uniq('web');
    await registerIn('dc1', `${svc}-1`, svc, '10.1.0.1', 'passing');
    await registerIn('dc2', `${svc}-2`, svc, '10.2.0.1', 'passing');
    expect((await ask(`${svc}.service.consul`, 'A')).answer).toEqual([`${svc}.service.consul. 0 IN A 10.1.0.1`]);
    expect((await ask(`${svc}.service.dc2.consul`, 'A')).answer).toEqual([`${svc}.service.dc2.consul. 0 IN A 10.2.0.1`]);
    expect((await ask(`${svc}.service.dc3.consul`, 'A')).rcode).toBe('NXDOMAIN');
    expect((await ask(`${svc}.service.dc9.consul`, 'A')).rcode).toBe('NXDOMAIN');
  });

  it('answers <query>.query.consul with failover, the query\'s TTL, and SRV targets in the answering datacenter', async () => {
    const svc = uniq('db');
    await registerIn('dc1', `${svc}-1`, svc, '10.1.0.5', 'critical');
    const node = await registerIn('dc2', `${svc}-2`, svc, '10.2.0.5', 'passing');
    const name = uniq('dbq');
    const res = await api('/v1/query', { method: 'POST', body: JSON.stringify({ Name: name, Service: { Service: svc, Failover: { NearestN: 1 } }, DNS: { TTL: '7s' } }) });
    const { ID } = (await res.json()) as { ID: string };

    expect((await ask(`${name}.query.consul`, 'A')).answer).toEqual([`${name}.query.consul. 7 IN A 10.2.0.5`]);
    expect((await ask(`${ID}.query.dc1.consul`, 'A')).answer).toEqual([`${ID}.query.dc1.consul. 7 IN A 10.2.0.5`]);
    const srv = await ask(`_${name}._tcp.query.consul`, 'SRV');
    expect(srv.answer).toEqual([`_${name}._tcp.query.consul. 7 IN SRV 1 1 8080 ${node}.node.dc2.consul.`]);
    expect(srv.extra).toEqual([`${node}.node.dc2.consul. 7 IN A 10.2.0.5`]);

    await registerIn('dc1', `${svc}-3`, svc, '10.1.0.6', 'passing');
    expect(sorted((await ask(`${name}.query.consul`, 'A')).answer)).toEqual([`${name}.query.consul. 7 IN A 10.1.0.6`]);
  });

  it('serves both through DoH at /dns-query, a dc-less name going to the request region\'s datacenter', async () => {
    const svc = uniq('doh');
    await registerIn('dc2', `${svc}-2`, svc, '10.2.1.1', 'passing');
    await registerIn('dc3', `${svc}-3`, svc, '10.3.1.1', 'passing');
    const name = uniq('dohq');
    await api('/v1/query', { method: 'POST', body: JSON.stringify({ Name: name, Service: { Service: svc, Failover: { Datacenters: ['dc3'] } } }) });
    const doh = async (qname: string, cf?: object) => {
      const res = await SELF.fetch('http://beacon.test/dns-query', { method: 'POST', headers: { 'Content-Type': 'application/dns-message' }, body: query(qname, 'A'), cf } as RequestInit);
      expect(res.status).toBe(200);
      return decodeReply(new Uint8Array(await res.arrayBuffer()));
    };
    expect((await doh(`${svc}.service.dc2.consul`)).answer).toEqual([`${svc}.service.dc2.consul. 0 IN A 10.2.1.1`]);
    expect((await doh(`${svc}.service.consul`, { continent: 'EU' })).answer).toEqual([`${svc}.service.consul. 0 IN A 10.3.1.1`]);
    expect((await doh(`${name}.query.consul`)).answer).toEqual([`${name}.query.consul. 0 IN A 10.3.1.1`]);
  });

  it('answers <name>.query.consul through a template whose name prefixes it', async () => {
    const svc = uniq('tsvc');
    await registerIn('dc1', `${svc}-1`, svc, '10.1.0.9', 'passing');
    const prefix = `${uniq('tq')}-`;
    await api('/v1/query', { method: 'POST', body: JSON.stringify({ Name: prefix, Service: { Service: '${name.suffix}' }, Template: { Type: 'name_prefix_match' } }) });
    expect((await ask(`${prefix}${svc}.query.consul`, 'A')).answer).toEqual([`${prefix}${svc}.query.consul. 0 IN A 10.1.0.9`]);
  });

  it('answers NXDOMAIN for an unknown query, or one asked in a datacenter that does not hold it', async () => {
    expect((await ask('no-such-query.query.consul', 'A')).rcode).toBe('NXDOMAIN');
    const name = uniq('only-dc1');
    await api('/v1/query', { method: 'POST', body: JSON.stringify({ Name: name, Service: { Service: 'x' } }) });
    expect((await ask(`${name}.query.dc2.consul`, 'A')).rcode).toBe('NXDOMAIN');
  });
});
