// Blocking /dns-query (?index=&wait=), what the dns-gateway keeps its cached answers fresh with: an answer
// carries X-Consul-Index; asked again with that index, it waits for a read the answer made to change.
import { describe, expect, it } from 'vitest';
import { decodeReply, query, sorted } from '../dns/zone-text';
import { api, put, uniq } from '../test-support';

const ask = (name: string, type: string, params = '') =>
  api(`/dns-query${params}`, { method: 'POST', headers: { 'Content-Type': 'application/dns-message' }, body: query(name, type) });

async function asked(name: string, type: string, params = '') {
  const res = await ask(name, type, params);
  expect(res.status).toBe(200);
  const index = res.headers.get('X-Consul-Index');
  return { index: index === null ? undefined : Number(index), reply: decodeReply(new Uint8Array(await res.arrayBuffer())) };
}

async function register(node: string, address: string, service: string, id = `${service}-${node}`) {
  expect((await put('/v1/catalog/register', { Node: node, Address: address, Service: { ID: id, Service: service, Port: 80 } })).status).toBe(200);
}

describe('/dns-query?index=&wait=', () => {
  it('waits through writes the answer did not read, and answers again once one it read changes', async () => {
    const [svc, node] = [uniq('web'), uniq('n')];
    await register(node, '10.7.0.1', svc);
    const first = await asked(`${svc}.service.consul`, 'A');
    expect(first.index).toBeGreaterThan(0);
    let settled = false;
    const waiting = asked(`${svc}.service.consul`, 'A', `?index=${first.index}&wait=30s`).finally(() => (settled = true));
    await register(uniq('n'), '10.7.0.9', uniq('other'));
    expect(settled).toBe(false);
    await register(uniq('n'), '10.7.0.2', svc);
    const next = await waiting;
    expect(next.index).toBeGreaterThan(first.index!);
    expect(sorted(next.reply.answer)).toEqual([`${svc}.service.consul. 0 IN A 10.7.0.1`, `${svc}.service.consul. 0 IN A 10.7.0.2`]);
  });

  it('wakes a node answer when the node is deregistered: NXDOMAIN with a new index', async () => {
    const node = uniq('n');
    await register(node, '10.7.1.1', uniq('svc'));
    const first = await asked(`${node}.node.consul`, 'A');
    const waiting = asked(`${node}.node.consul`, 'A', `?index=${first.index}&wait=30s`);
    expect((await put('/v1/catalog/deregister', { Node: node })).status).toBe(200);
    const next = await waiting;
    expect(next.reply.rcode).toBe('NXDOMAIN');
    expect(next.index).toBeGreaterThan(first.index!);
  });

  it('answers the same index and answer when the wait ends with no change', async () => {
    const [svc, node] = [uniq('web'), uniq('n')];
    await register(node, '10.7.2.1', svc);
    const first = await asked(`${svc}.service.consul`, 'A');
    const again = await asked(`${svc}.service.consul`, 'A', `?index=${first.index}&wait=50ms`);
    expect(again.index).toBe(first.index);
    expect(again.reply.answer).toEqual(first.reply.answer);
  });

  it.each([
    ['an index other than the current one (a restore, say)', (i: number) => `?index=${i + 1_000_000}`],
    ['index 0', () => '?index=0'],
  ])('answers at once for %s', async (_, params) => {
    const [svc, node] = [uniq('web'), uniq('n')];
    await register(node, '10.7.3.1', svc);
    const first = await asked(`${svc}.service.consul`, 'A');
    // The default wait is 5 minutes: blocking here would time the test out.
    const again = await asked(`${svc}.service.consul`, 'A', params(first.index!));
    expect(again.index).toBe(first.index);
  });

  it('gives an answer with no reads index 1, and a prepared query answer no index (it cannot be waited for)', async () => {
    expect((await asked('0a000001.addr.consul', 'A')).index).toBe(1);
    expect((await asked('example.org', 'A')).index).toBe(1);
    const svc = uniq('pq');
    await register(uniq('n'), '10.7.4.1', svc);
    const created = await api('/v1/query', { method: 'POST', body: JSON.stringify({ Name: svc, Service: { Service: svc } }) });
    expect(created.status).toBe(200);
    const { index, reply } = await asked(`${svc}.query.consul`, 'A');
    expect(reply.answer).toEqual([`${svc}.query.consul. 0 IN A 10.7.4.1`]);
    expect(index).toBeUndefined();
  });

  it.each([
    ['?index=abc', 'Invalid index'],
    ['?index=-1', 'Invalid index'],
    ['?index=5&wait=soon', 'Invalid wait time'],
  ])('refuses %s with 400 %s', async (params, reason) => {
    const res = await ask('x.service.consul', 'A', params);
    expect(res.status).toBe(400);
    expect(await res.text()).toBe(reason);
  });
});
