// DNS-over-HTTPS through the real worker: answers reflect what the catalog holds right now.
import { Buffer } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import { decodeReply, query, sorted } from '../dns/zone-text';
import { api, put, registerService, uniq } from '../test-support';

const post = (body: Uint8Array, type = 'application/dns-message') =>
  api('/dns-query', { method: 'POST', headers: { 'Content-Type': type, Accept: 'application/dns-message' }, body });
const get = (body: Uint8Array) => api(`/dns-query?dns=${Buffer.from(body).toString('base64url')}`);

async function ask(name: string, type: string) {
  const res = await post(query(name, type));
  expect(res.status).toBe(200);
  expect(res.headers.get('Content-Type')).toBe('application/dns-message');
  return decodeReply(new Uint8Array(await res.arrayBuffer()));
}

async function catalogRegister(node: string, address: string, service: Record<string, unknown>, status = 'passing') {
  const res = await put('/v1/catalog/register', { Node: node, Address: address, Service: service, Check: { CheckID: `${service.ID}-check`, Name: 'c', Status: status, ServiceID: service.ID } });
  expect(res.status).toBe(200);
}

describe('/dns-query', () => {
  it('answers a GET and a POST with the same healthy instances, leaving out critical ones', async () => {
    const svc = uniq('web');
    await catalogRegister(uniq('n'), '10.1.0.1', { ID: `${svc}-1`, Service: svc, Port: 8080 });
    await catalogRegister(uniq('n'), '10.1.0.2', { ID: `${svc}-2`, Service: svc, Port: 8081 }, 'warning');
    await catalogRegister(uniq('n'), '10.1.0.3', { ID: `${svc}-3`, Service: svc, Port: 8082 }, 'critical');
    const expected = [`${svc}.service.consul. 0 IN A 10.1.0.1`, `${svc}.service.consul. 0 IN A 10.1.0.2`];
    expect(sorted((await ask(`${svc}.service.consul`, 'A')).answer)).toEqual(expected);
    const res = await get(query(`${svc}.service.consul`, 'A', 9));
    expect(res.status).toBe(200);
    expect(res.headers.get('Cache-Control')).toBe('max-age=0');
    const reply = decodeReply(new Uint8Array(await res.arrayBuffer()));
    expect(reply.id).toBe(9);
    expect(sorted(reply.answer)).toEqual(expected);
  });

  it('answers SRV with ports and the targets in the additional section', async () => {
    const svc = uniq('api');
    const node = uniq('n');
    await catalogRegister(node, '10.2.0.1', { ID: `${svc}-1`, Service: svc, Port: 9000 });
    await catalogRegister(node, '10.2.0.1', { ID: `${svc}-2`, Service: svc, Port: 9001, Address: '10.2.0.9' });
    const reply = await ask(`_${svc}._tcp.service.consul`, 'SRV');
    expect(sorted(reply.answer)).toEqual([
      `_${svc}._tcp.service.consul. 0 IN SRV 1 1 9000 ${node}.node.dc1.consul.`,
      `_${svc}._tcp.service.consul. 0 IN SRV 1 1 9001 0a020009.addr.dc1.consul.`,
    ]);
    expect(sorted(reply.extra)).toEqual([`0a020009.addr.dc1.consul. 0 IN A 10.2.0.9`, `${node}.node.dc1.consul. 0 IN A 10.2.0.1`]);
  });

  it('follows registration, health and deregistration at once', async () => {
    const svc = uniq('live');
    await registerService({ ID: svc, Name: svc, Address: '10.3.0.1', Port: 80, Check: { TTL: '30s', Status: 'passing' } });
    expect((await ask(`${svc}.service.consul`, 'A')).answer).toEqual([`${svc}.service.consul. 0 IN A 10.3.0.1`]);
    await put(`/v1/agent/check/fail/service:${svc}`);
    expect((await ask(`${svc}.service.consul`, 'A')).rcode).toBe('NXDOMAIN');
    await put(`/v1/agent/check/pass/service:${svc}`);
    expect((await ask(`${svc}.service.consul`, 'A')).answer).toHaveLength(1);
    await put(`/v1/agent/service/deregister/${svc}`);
    const gone = await ask(`${svc}.service.consul`, 'A');
    expect(gone.rcode).toBe('NXDOMAIN');
    expect(gone.ns[0]).toMatch(/^consul\. 0 IN SOA ns\.consul\. hostmaster\.consul\. \d+ 3600 600 86400 0$/);
  });

  it('answers the agent node by name, in this datacenter and no other', async () => {
    expect((await ask('beacon.node.consul', 'A')).answer).toEqual(['beacon.node.consul. 0 IN A 127.0.0.1']);
    expect((await ask('beacon.node.dc1.consul', 'A')).rcode).toBe('NOERROR');
    expect((await ask('beacon.node.nowhere.consul', 'A')).rcode).toBe('NXDOMAIN');
  });

  it('refuses names outside consul. and answers FORMERR to garbage', async () => {
    expect((await ask('example.org', 'A')).rcode).toBe('REFUSED');
    const res = await post(new Uint8Array([0xab, 0xcd, 0xff, 0xff, 0, 1]));
    expect(decodeReply(new Uint8Array(await res.arrayBuffer()))).toMatchObject({ id: 0xabcd, rcode: 'FORMERR' });
  });

  it('answers HTTP errors for what is not a DoH request', async () => {
    expect((await api('/dns-query')).status).toBe(400);
    expect((await api('/dns-query?dns=***')).status).toBe(400);
    expect((await post(query('x.service.consul', 'A'), 'text/plain')).status).toBe(415);
    expect((await post(new Uint8Array([1]))).status).toBe(400);
    const put405 = await api('/dns-query', { method: 'PUT' });
    expect(put405.status).toBe(405);
    expect(put405.headers.get('Allow')).toBe('GET, POST');
  });
});
