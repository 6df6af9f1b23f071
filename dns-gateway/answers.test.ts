// Cached answers kept fresh by blocking queries, against a started Beacon over real sockets: a hit costs
// no worker request, a change reaches the cache through the watch (not a new request), the store is
// bounded, idle names stop being watched, and a watch that breaks never leaves a stale answer behind.
import { createServer, connect, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { freePort } from '../test/e2e/global-setup';
import { startGateway, type Gateway } from './main';
import { tcpAsk, udpAsk } from './test-client';

const uniq = (prefix: string) => `${prefix}-${Math.random().toString(36).slice(2, 8)}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function send(method: string, path: string, body?: unknown): Promise<Response> {
  const res = await fetch(`${inject('beaconUrl')}${path}`, { method, body: body === undefined ? undefined : JSON.stringify(body) });
  expect(res.status, await res.clone().text()).toBe(200);
  return res;
}
const register = (node: string, address: string, id: string, service: string, status = 'passing') =>
  send('PUT', '/v1/catalog/register', { Node: node, Address: address, Service: { ID: id, Service: service, Port: 80 }, Check: { CheckID: `${id}:c`, Name: 'c', Status: status, ServiceID: id } });

/** Asks until `done` accepts the reply (no deadline of its own: the test's timeout is the bound). */
async function until(ask: () => Promise<{ answer: string[]; rcode: string }>, done: (r: { answer: string[]; rcode: string }) => boolean) {
  for (;;) {
    const reply = await ask();
    if (done(reply)) return reply;
    await sleep(10);
  }
}

describe('dns-gateway answers kept fresh by blocking queries', () => {
  let gateway: Gateway;
  beforeAll(async () => {
    gateway = await startGateway({ port: await freePort(), workerUrl: inject('beaconUrl') }, () => {});
  });
  afterAll(() => gateway?.stop());

  it('answers repeats from the cache, and a deregistration or a failing check through the watch, with no new request', async () => {
    const svc = uniq('web');
    const nodes = [uniq('n'), uniq('n'), uniq('n')];
    for (const [i, node] of nodes.entries()) await register(node, `10.8.0.${i + 1}`, `${svc}-${i}`, svc);
    const name = `${svc}.service.consul`;
    expect((await udpAsk(gateway.port, name, 'A')).answer).toHaveLength(3);
    const before = gateway.stats();
    for (let i = 0; i < 20; i++) expect((await udpAsk(gateway.port, name, 'A')).answer).toHaveLength(3);
    // Past the old 500 ms reuse limit: still a hit, not a new request.
    await sleep(1200);
    expect((await udpAsk(gateway.port, name, 'A')).answer).toHaveLength(3);
    expect(gateway.stats()).toMatchObject({ loads: before.loads, hits: before.hits + 21 });

    await send('PUT', '/v1/catalog/deregister', { Node: nodes[0] });
    const after = await until(() => udpAsk(gateway.port, name, 'A'), (r) => r.answer.length === 2);
    expect(after.answer.join()).not.toContain('10.8.0.1');
    // The same answer serves TCP: changed there too, at once.
    expect((await tcpAsk(gateway.port, name, 'A')).answer).toHaveLength(2);

    await register(nodes[1], '10.8.0.2', `${svc}-1`, svc, 'critical');
    await until(() => udpAsk(gateway.port, name, 'A'), (r) => r.answer.length === 1);
    await send('PUT', '/v1/catalog/deregister', { Node: nodes[2] });
    expect((await until(() => udpAsk(gateway.port, name, 'A'), (r) => r.rcode === 'NXDOMAIN')).answer).toEqual([]);
    const end = gateway.stats();
    expect(end.loads).toBe(before.loads); // TCP shares the UDP answer; every change came through the watch
    expect(end.refreshes).toBeGreaterThanOrEqual(before.refreshes + 3);
  });

  it('still varies the order on hits: every instance comes first', async () => {
    const svc = uniq('order');
    for (let i = 0; i < 3; i++) await register(uniq('n'), `10.8.3.${i + 1}`, `${svc}-${i}`, svc);
    const firsts = new Set<string>();
    for (let i = 0; i < 60; i++) firsts.add((await udpAsk(gateway.port, `${svc}.service.consul`, 'A')).answer[0]);
    expect([...firsts].sort()).toEqual([1, 2, 3].map((i) => `${svc}.service.consul. 0 IN A 10.8.3.${i}`));
  });

  it('keeps one watched answer per question for every EDNS size, truncating each to its own limit', async () => {
    const svc = uniq('big');
    for (let i = 0; i < 40; i++) await register(uniq('n'), `10.8.1.${i + 1}`, `${svc}-${i}`, svc);
    const name = `${svc}.service.consul`;
    const before = gateway.stats();
    const small = await udpAsk(gateway.port, name, 'A');
    const large = await udpAsk(gateway.port, name, 'A', 4096);
    expect(small).toMatchObject({ tc: true });
    expect(small.size).toBeLessThanOrEqual(512);
    expect(large).toMatchObject({ tc: false });
    expect(large.answer).toHaveLength(40);
    expect((await udpAsk(gateway.port, name, 'A')).tc).toBe(true);
    expect(gateway.stats().loads).toBe(before.loads + 1);
  });
});

describe('dns-gateway answer store limits', () => {
  it('holds at most watchMax answers, dropping the least recently asked', async () => {
    const gateway = await startGateway({ port: await freePort(), workerUrl: inject('beaconUrl'), watchMax: 2 }, () => {});
    try {
      const [a, b, c] = ['a', 'b', 'c'].map((x) => `${uniq(x)}.node.consul`);
      await udpAsk(gateway.port, a, 'A');
      await udpAsk(gateway.port, b, 'A');
      await udpAsk(gateway.port, a, 'A');
      await udpAsk(gateway.port, c, 'A');
      expect(gateway.stats()).toMatchObject({ watched: 2, loads: 3 });
      await udpAsk(gateway.port, a, 'A');
      expect(gateway.stats().loads).toBe(3);
      await udpAsk(gateway.port, b, 'A');
      expect(gateway.stats()).toMatchObject({ watched: 2, loads: 4 });
    } finally {
      await gateway.stop();
    }
  });

  it('stops watching a name nobody asks for, and asks the worker again when it comes back', async () => {
    const gateway = await startGateway({ port: await freePort(), workerUrl: inject('beaconUrl'), watchIdleMs: 100 }, () => {});
    try {
      expect((await udpAsk(gateway.port, 'beacon.node.consul', 'A')).rcode).toBe('NOERROR');
      expect(gateway.stats()).toMatchObject({ watched: 1, loads: 1 });
      while (gateway.stats().watched > 0) await sleep(20);
      expect((await udpAsk(gateway.port, 'beacon.node.consul', 'A')).rcode).toBe('NOERROR');
      expect(gateway.stats()).toMatchObject({ watched: 1, loads: 2 });
    } finally {
      await gateway.stop();
    }
  });

  it('reuses a prepared query answer (which cannot be watched) for cacheMs only: with 0, never', async () => {
    const gateway = await startGateway({ port: await freePort(), workerUrl: inject('beaconUrl'), cacheMs: 0 }, () => {});
    try {
      const svc = uniq('pq');
      await register(uniq('n'), '10.8.2.1', `${svc}-1`, svc);
      await send('POST', '/v1/query', { Name: svc, Service: { Service: svc } });
      for (let i = 0; i < 3; i++) expect((await udpAsk(gateway.port, `${svc}.query.consul`, 'A')).answer).toEqual([`${svc}.query.consul. 0 IN A 10.8.2.1`]);
      expect(gateway.stats()).toMatchObject({ watched: 0, loads: 3, hits: 0 });
    } finally {
      await gateway.stop();
    }
  });

  it('drops an answer whose watch breaks: the next query asks the worker, never the stale copy', async () => {
    // The gateway reaches Beacon through a TCP proxy that the test cuts.
    const target = new URL(inject('beaconUrl'));
    const open = new Set<Socket>();
    const proxy: Server = createServer((client) => {
      open.add(client);
      const upstream = connect({ host: target.hostname, port: Number(target.port) });
      open.add(upstream);
      client.pipe(upstream).pipe(client);
      client.on('error', () => upstream.destroy());
      upstream.on('error', () => client.destroy());
    });
    const proxyPort = await freePort();
    await new Promise<void>((r) => proxy.listen(proxyPort, '127.0.0.1', r));
    const gateway = await startGateway({ port: await freePort(), workerUrl: `http://127.0.0.1:${proxyPort}` }, () => {});
    try {
      expect((await udpAsk(gateway.port, 'beacon.node.consul', 'A')).rcode).toBe('NOERROR');
      expect(gateway.stats().watched).toBe(1);
      await new Promise((r) => {
        proxy.close(r);
        open.forEach((s) => s.destroy());
      });
      while (gateway.stats().watched > 0) await sleep(20);
      expect((await udpAsk(gateway.port, 'beacon.node.consul', 'A')).rcode).toBe('SERVFAIL');
    } finally {
      await gateway.stop();
      open.forEach((s) => s.destroy());
    }
  });
});
