// DNS-over-HTTPS with ACLs on: the token the gateway sends decides what has records.
import { describe, expect, it } from 'vitest';
import { decodeReply, query } from '../dns/zone-text';
import { api, uniq } from '../test-support';
import { as, MANAGEMENT_TOKEN, ok, tokenWithRules } from './test-support';

async function ask(name: string, token: string) {
  const res = await api('/dns-query', {
    method: 'POST', body: query(name, 'A'),
    headers: { 'Content-Type': 'application/dns-message', ...(token ? { 'X-Consul-Token': token } : {}) },
  });
  expect(res.status).toBe(200);
  return decodeReply(new Uint8Array(await res.arrayBuffer()));
}

describe('/dns-query under ACLs', () => {
  it('a service the token cannot read has no records; one it can read answers', async () => {
    const [web, db, node] = [uniq('web'), uniq('db'), uniq('n')];
    for (const [svc, ip] of [[web, '10.9.0.1'], [db, '10.9.0.2']]) {
      await ok(as(MANAGEMENT_TOKEN, '/v1/catalog/register', { body: { Node: `${node}-${svc}`, Address: ip, Service: { Service: svc, ID: svc } } }));
    }
    const { secret } = await tokenWithRules(`service_prefix "${web}" { policy = "read" }\nnode_prefix "" { policy = "read" }`);
    const cases = [
      { name: web, token: secret, answer: [`${web}.service.consul. 0 IN A 10.9.0.1`] },
      { name: db, token: secret, answer: [] },
      { name: web, token: '', answer: [] },
      { name: web, token: MANAGEMENT_TOKEN, answer: [`${web}.service.consul. 0 IN A 10.9.0.1`] },
    ];
    for (const c of cases) {
      const reply = await ask(`${c.name}.service.consul`, c.token);
      expect([c.name, c.token.slice(0, 4), reply.rcode, reply.answer]).toEqual([c.name, c.token.slice(0, 4), c.answer.length ? 'NOERROR' : 'NXDOMAIN', c.answer]);
    }
  });

  it('refuses an unknown token with 403', async () => {
    const res = await api('/dns-query', { method: 'POST', body: query('x.service.consul', 'A'), headers: { 'Content-Type': 'application/dns-message', 'X-Consul-Token': crypto.randomUUID() } });
    expect([res.status, await res.text()]).toEqual([403, 'ACL not found']);
  });
});
