// DNS end to end: real UDP and TCP packets to a started gateway in front of the real worker (wrangler
// dev), Node's own resolver and dig as third-party clients, and answers that follow the catalog within 1 s.
import { execFile, execFileSync } from 'node:child_process';
import { promises as dns } from 'node:dns';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startGateway, type Gateway } from '../../dns-gateway/main';
import { tcpAsk, udpAsk } from '../../dns-gateway/test-client';
import { freePort } from './global-setup';

const run = promisify(execFile);
const hasDig = (() => {
  try {
    execFileSync('dig', ['-v'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
const uniq = (prefix: string) => `${prefix}-${Math.random().toString(36).slice(2, 8)}`;
const sorted = (lines: string[]) => [...lines].sort();

describe('DNS through the gateway', () => {
  let gateway: Gateway;
  let base: string;
  const put = async (path: string, body?: unknown) => {
    const res = await fetch(`${base}${path}`, { method: 'PUT', body: body === undefined ? undefined : JSON.stringify(body) });
    expect(res.status, await res.clone().text()).toBe(200);
  };
  const register = (node: string, address: string, service: Record<string, unknown>, status = 'passing') =>
    put('/v1/catalog/register', { Node: node, Address: address, Service: service, Check: { CheckID: `${service.ID}:c`, Name: 'c', Status: status, ServiceID: service.ID } });

  const web = uniq('web');
  const [n1, n2, n3] = [uniq('n'), uniq('n'), uniq('n')];

  beforeAll(async () => {
    base = inject('beaconUrl');
    gateway = await startGateway({ port: await freePort(), workerUrl: base }, () => {});
    await register(n1, '10.9.0.1', { ID: `${web}-1`, Service: web, Port: 8080 });
    await register(n2, '10.9.0.2', { ID: `${web}-2`, Service: web, Port: 8081 }, 'warning');
    await register(n3, '10.9.0.3', { ID: `${web}-3`, Service: web, Port: 8082 }, 'critical');
  });
  afterAll(() => gateway?.stop());

  it('answers A over UDP and TCP with the healthy instances only, record by record', async () => {
    const expected = [`${web}.service.consul. 0 IN A 10.9.0.1`, `${web}.service.consul. 0 IN A 10.9.0.2`];
    for (const ask of [udpAsk, tcpAsk]) {
      const reply = await ask(gateway.port, `${web}.service.consul`, 'A');
      expect(reply.rcode).toBe('NOERROR');
      expect(sorted(reply.answer)).toEqual(expected);
      expect(reply.tc).toBe(false);
    }
  });

  it('varies the order of instances between queries, cache or not', async () => {
    const firsts = new Set<string>();
    for (let i = 0; i < 30; i++) firsts.add((await udpAsk(gateway.port, `${web}.service.consul`, 'A')).answer[0]);
    expect(firsts.size).toBe(2);
  });

  it('answers SRV with each instance port and its node address in the additional section', async () => {
    const reply = await udpAsk(gateway.port, `_${web}._tcp.service.consul`, 'SRV');
    expect(sorted(reply.answer)).toEqual([
      `_${web}._tcp.service.consul. 0 IN SRV 1 1 8080 ${n1}.node.dc1.consul.`,
      `_${web}._tcp.service.consul. 0 IN SRV 1 1 8081 ${n2}.node.dc1.consul.`,
    ]);
    expect(sorted(reply.extra)).toEqual(sorted([`${n1}.node.dc1.consul. 0 IN A 10.9.0.1`, `${n2}.node.dc1.consul. 0 IN A 10.9.0.2`]));
  });

  it('repeats the additional record for each SRV record of instances sharing one address, as Consul does', async () => {
    const trio = uniq('trio');
    const node = uniq('tn');
    for (const port of [9101, 9102, 9103]) await register(node, '10.9.1.1', { ID: `${trio}-${port}`, Service: trio, Port: port, Address: '10.9.1.7' });
    const reply = await udpAsk(gateway.port, `_${trio}._tcp.service.consul`, 'SRV');
    expect(sorted(reply.answer)).toEqual([9101, 9102, 9103].map((port) => `_${trio}._tcp.service.consul. 0 IN SRV 1 1 ${port} 0a090107.addr.dc1.consul.`));
    expect(reply.extra).toEqual(Array(3).fill('0a090107.addr.dc1.consul. 0 IN A 10.9.1.7'));
  });

  it('answers NXDOMAIN and NODATA with the SOA in authority', async () => {
    const missing = await udpAsk(gateway.port, `${uniq('nosuch')}.service.consul`, 'A');
    expect([missing.rcode, missing.answer, missing.ns]).toEqual(['NXDOMAIN', [], ['consul. 0 IN SOA SOA']]);
    const nodata = await udpAsk(gateway.port, `${web}.service.consul`, 'AAAA');
    expect([nodata.rcode, nodata.answer, nodata.ns]).toEqual(['NOERROR', [], ['consul. 0 IN SOA SOA']]);
  });

  it('truncates a large answer over UDP with TC, and gives all of it over TCP and within an EDNS0 size', async () => {
    const big = uniq('big');
    const node = uniq('bn');
    for (let i = 1; i <= 40; i++) await register(node, '10.8.0.250', { ID: `${big}-${i}`, Service: big, Port: 9000 + i, Address: `10.8.0.${i}` });
    const udp = await udpAsk(gateway.port, `${big}.service.consul`, 'A');
    expect(udp.tc).toBe(true);
    expect(udp.size).toBeLessThanOrEqual(512);
    expect(udp.answer.length).toBeGreaterThan(0);
    expect(udp.answer.length).toBeLessThan(40);
    const tcp = await tcpAsk(gateway.port, `${big}.service.consul`, 'A');
    expect(tcp.tc).toBe(false);
    expect(sorted(tcp.answer)).toEqual(sorted(Array.from({ length: 40 }, (_, i) => `${big}.service.consul. 0 IN A 10.8.0.${i + 1}`)));
    const edns = await udpAsk(gateway.port, `${big}.service.consul`, 'A', 4096);
    expect([edns.tc, edns.answer.length]).toEqual([false, 40]);
    const srv = await udpAsk(gateway.port, `_${big}._tcp.service.consul`, 'SRV');
    expect(srv.tc).toBe(true);
    expect(srv.size).toBeLessThanOrEqual(512);
  });

  it('reflects a registration, a failing check and a deregistration within 1 second', async () => {
    const live = uniq('live');
    const ask = () => udpAsk(gateway.port, `${live}.service.consul`, 'A');
    const within1s = async (predicate: (r: Awaited<ReturnType<typeof ask>>) => boolean) => {
      const started = performance.now();
      while (!predicate(await ask())) {
        expect(performance.now() - started).toBeLessThan(1000);
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    expect((await ask()).rcode).toBe('NXDOMAIN'); // now cached as NXDOMAIN
    await put('/v1/agent/service/register', { ID: live, Name: live, Address: '10.7.0.1', Port: 80, Check: { TTL: '60s', Status: 'passing' } });
    await within1s((r) => r.answer.length === 1);
    await put(`/v1/agent/check/fail/service:${live}`);
    await within1s((r) => r.rcode === 'NXDOMAIN');
    await put(`/v1/agent/check/pass/service:${live}`);
    await within1s((r) => r.answer.length === 1);
    await put(`/v1/agent/service/deregister/${live}`);
    await within1s((r) => r.rcode === 'NXDOMAIN');
  });

  it("serves Node's own resolver (dns.promises.Resolver)", async () => {
    const resolver = new dns.Resolver({ timeout: 2000, tries: 1 });
    resolver.setServers([`127.0.0.1:${gateway.port}`]);
    expect(sorted(await resolver.resolve4(`${web}.service.consul`))).toEqual(['10.9.0.1', '10.9.0.2']);
    const srv = await resolver.resolveSrv(`_${web}._tcp.service.consul`);
    expect(srv.map((r) => `${r.port} ${r.name}`).sort()).toEqual(sorted([`8080 ${n1}.node.dc1.consul`, `8081 ${n2}.node.dc1.consul`]));
    await expect(resolver.resolve4(`${uniq('nosuch')}.service.consul`)).rejects.toMatchObject({ code: 'ENOTFOUND' });
  });

  it("answers reverse lookups (PTR) for node addresses, through Node's resolver", async () => {
    const node = uniq('rev');
    const address = `10.250.${Math.floor(Math.random() * 256)}.${1 + Math.floor(Math.random() * 254)}`;
    await register(node, address, { ID: `${node}-svc`, Service: node, Port: 1 });
    const resolver = new dns.Resolver({ timeout: 2000, tries: 1 });
    resolver.setServers([`127.0.0.1:${gateway.port}`]);
    expect(await resolver.reverse(address)).toEqual([`${node}.node.dc1.consul`]);
  });

  it('serves dig over UDP and TCP', async () => {
    expect(hasDig, 'dig is missing: install bind9-dnsutils (.ci/run does)').toBe(true);
    const dig = async (...args: string[]) => (await run('dig', ['@127.0.0.1', '-p', String(gateway.port), '+time=2', '+tries=1', ...args])).stdout;
    expect((await dig('+short', `${web}.service.consul`, 'A')).trim().split('\n').sort()).toEqual(['10.9.0.1', '10.9.0.2']);
    expect((await dig('+short', '+tcp', `${n1}.node.consul`, 'A')).trim()).toBe('10.9.0.1');
    expect((await dig('+short', `_${web}._tcp.service.consul`, 'SRV')).trim().split('\n').sort()).toEqual(sorted([`1 1 8080 ${n1}.node.dc1.consul.`, `1 1 8081 ${n2}.node.dc1.consul.`]));
    const nx = await dig(`${uniq('nosuch')}.service.consul`, 'A');
    expect(nx).toContain('status: NXDOMAIN');
    expect(nx).toMatch(/flags: qr aa rd;/);
  });
});
