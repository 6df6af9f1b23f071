// Answers as data, CoreDNS style: {qname, qtype, rcode, answer, ns, extra} against an in-memory datacenter.
import { describe, expect, it } from 'vitest';
import type { Node } from '../consul/common';
import type { ServiceEntry } from '../consul/check';
import type { DatacenterSource, DnsSettings, Sources } from './answer';
import { respond } from './message';
import { dnsSettings, serviceTtlLookup } from './settings';
import { decodeReply, query, sorted } from './zone-text';

const NOW = 1_700_000_000_000;
const SOA = 'consul. 0 IN SOA ns.consul. hostmaster.consul. 1700000000 3600 600 86400 0';

const node = (name: string, address: string, meta: Record<string, string> = {}) => ({ Node: name, Address: address, Meta: meta }) as Node;
const NODES = [node('node1', '10.0.0.1', { rack: 'a' }), node('node2', '10.0.0.2'), node('node6', '2001:db8::6'), node('nodeh', 'box.example.com')];
const entry = (nodeName: string, svc: string, id: string, o: { address?: string; port?: number; tags?: string[]; status?: string[]; weights?: [number, number] } = {}) =>
  ({
    Node: NODES.find((n) => n.Node === nodeName)!,
    Service: { ID: id, Service: svc, Address: o.address ?? '', Port: o.port ?? 80, Tags: o.tags ?? [], Weights: { Passing: o.weights?.[0] ?? 1, Warning: o.weights?.[1] ?? 1 } },
    Checks: (o.status ?? ['passing']).map((Status) => ({ Status })),
  }) as ServiceEntry;
const ENTRIES = [
  entry('node1', 'web', 'web-1', { port: 8080, tags: ['v1'] }),
  entry('node2', 'web', 'web-2', { address: '10.0.0.20', port: 8081, tags: ['Primary'], status: ['passing', 'warning'], weights: [10, 3] }),
  entry('node1', 'web', 'web-3', { address: '10.0.0.99', port: 8082, status: ['passing', 'critical'] }),
  entry('node6', 'v6', 'v6-1'),
  entry('node1', 'ext', 'ext-1', { address: 'ext.example.com', port: 443 }),
  entry('nodeh', 'boxed', 'boxed-1'),
  entry('node1', 'down', 'down-1', { status: ['critical'] }),
  // Three instances on one address (HAProxy's server-template case), a repeat of the first, two on one node's address.
  entry('node1', 'trio', 'trio-1', { address: '10.0.0.7', port: 9001 }),
  entry('node1', 'trio', 'trio-2', { address: '10.0.0.7', port: 9002 }),
  entry('node1', 'trio', 'trio-3', { address: '10.0.0.7', port: 9003 }),
  entry('node1', 'trio', 'trio-1-again', { address: '10.0.0.7', port: 9001 }),
  entry('node2', 'pair', 'pair-1', { port: 7001 }),
  entry('node2', 'pair', 'pair-2', { port: 7002 }),
];

const dc1: DatacenterSource = {
  name: 'dc1',
  serviceEntries: async (s) => ENTRIES.filter((e) => e.Service.Service.toLowerCase() === s.toLowerCase()),
  node: async (n) => NODES.find((x) => x.Node.toLowerCase() === n.toLowerCase()) ?? null,
  nodes: async () => NODES,
  serviceAddresses: async () => ENTRIES.map((e) => ({ service: e.Service.Service, address: e.Service.Address })),
};
const sources: Sources = (dc) => (dc === undefined || dc === 'dc1' ? dc1 : null);
const settings: DnsSettings = { serviceTtl: serviceTtlLookup('{"ext":"30s","*":"0s"}'), nodeTtl: 0, onlyPassing: false, now: () => NOW };

interface Case {
  qname: string;
  qtype: string;
  rcode: string;
  answer?: string[];
  ns?: string[];
  extra?: string[];
}

const cases: Case[] = [
  { qname: 'web.service.consul', qtype: 'A', rcode: 'NOERROR', answer: ['web.service.consul. 0 IN A 10.0.0.1', 'web.service.consul. 0 IN A 10.0.0.20'] },
  { qname: 'web.service.dc1.consul', qtype: 'ANY', rcode: 'NOERROR', answer: ['web.service.dc1.consul. 0 IN A 10.0.0.1', 'web.service.dc1.consul. 0 IN A 10.0.0.20'] },
  { qname: 'primary.web.service.consul', qtype: 'A', rcode: 'NOERROR', answer: ['primary.web.service.consul. 0 IN A 10.0.0.20'] },
  { qname: 'nosuchtag.web.service.consul', qtype: 'A', rcode: 'NXDOMAIN', ns: [SOA] },
  { qname: 'web.service.consul', qtype: 'AAAA', rcode: 'NOERROR', ns: [SOA] },
  { qname: 'web.service.consul', qtype: 'TXT', rcode: 'NOERROR', ns: [SOA] },
  { qname: 'web.service.consul', qtype: 'UNKNOWN_65000', rcode: 'NOERROR', ns: [SOA] },
  {
    qname: '_web._tcp.service.consul', qtype: 'SRV', rcode: 'NOERROR',
    answer: ['_web._tcp.service.consul. 0 IN SRV 1 1 8080 node1.node.dc1.consul.', '_web._tcp.service.consul. 0 IN SRV 1 3 8081 0a000014.addr.dc1.consul.'],
    extra: ['0a000014.addr.dc1.consul. 0 IN A 10.0.0.20', 'node1.node.dc1.consul. 0 IN A 10.0.0.1'],
  },
  {
    qname: '_web._primary.service.consul', qtype: 'SRV', rcode: 'NOERROR',
    answer: ['_web._primary.service.consul. 0 IN SRV 1 3 8081 0a000014.addr.dc1.consul.'], extra: ['0a000014.addr.dc1.consul. 0 IN A 10.0.0.20'],
  },
  // consul agent/dns.go serviceSRVRecords: one SRV per node/address/port, each with its own additional record.
  {
    qname: '_trio._tcp.service.consul', qtype: 'SRV', rcode: 'NOERROR',
    answer: [9001, 9002, 9003].map((port) => `_trio._tcp.service.consul. 0 IN SRV 1 1 ${port} 0a000007.addr.dc1.consul.`),
    extra: Array(3).fill('0a000007.addr.dc1.consul. 0 IN A 10.0.0.7'),
  },
  { qname: 'trio.service.consul', qtype: 'A', rcode: 'NOERROR', answer: ['trio.service.consul. 0 IN A 10.0.0.7'] },
  {
    qname: '_pair._tcp.service.consul', qtype: 'SRV', rcode: 'NOERROR',
    answer: [7001, 7002].map((port) => `_pair._tcp.service.consul. 0 IN SRV 1 1 ${port} node2.node.dc1.consul.`),
    extra: Array(2).fill('node2.node.dc1.consul. 0 IN A 10.0.0.2'),
  },
  { qname: 'v6.service.consul', qtype: 'AAAA', rcode: 'NOERROR', answer: ['v6.service.consul. 0 IN AAAA 2001:db8::6'] },
  { qname: 'v6.service.consul', qtype: 'A', rcode: 'NOERROR', ns: [SOA] },
  { qname: 'ext.service.consul', qtype: 'A', rcode: 'NOERROR', answer: ['ext.service.consul. 30 IN CNAME ext.example.com.'] },
  { qname: 'ext.service.consul', qtype: 'SRV', rcode: 'NOERROR', answer: ['ext.service.consul. 30 IN SRV 1 1 443 ext.example.com.'] },
  { qname: 'boxed.service.consul', qtype: 'A', rcode: 'NOERROR', answer: ['boxed.service.consul. 0 IN CNAME box.example.com.'] },
  { qname: 'down.service.consul', qtype: 'A', rcode: 'NXDOMAIN', ns: [SOA] },
  { qname: 'nosuch.service.consul', qtype: 'A', rcode: 'NXDOMAIN', ns: [SOA] },
  { qname: 'web.service.dc9.consul', qtype: 'A', rcode: 'NXDOMAIN', ns: [SOA] },
  { qname: 'node1.node.consul', qtype: 'A', rcode: 'NOERROR', answer: ['node1.node.consul. 0 IN A 10.0.0.1'], extra: ['node1.node.consul. 0 IN TXT "rack=a"'] },
  { qname: 'NODE1.node.dc1.consul', qtype: 'TXT', rcode: 'NOERROR', answer: ['NODE1.node.dc1.consul. 0 IN TXT "rack=a"'] },
  { qname: 'node1.node.consul', qtype: 'ANY', rcode: 'NOERROR', answer: ['node1.node.consul. 0 IN A 10.0.0.1', 'node1.node.consul. 0 IN TXT "rack=a"'] },
  { qname: 'node1.node.consul', qtype: 'AAAA', rcode: 'NOERROR', ns: [SOA] },
  { qname: 'node6.node.consul', qtype: 'AAAA', rcode: 'NOERROR', answer: ['node6.node.consul. 0 IN AAAA 2001:db8::6'] },
  { qname: 'nodeh.node.consul', qtype: 'A', rcode: 'NOERROR', answer: ['nodeh.node.consul. 0 IN CNAME box.example.com.'] },
  { qname: 'ghost.node.consul', qtype: 'A', rcode: 'NXDOMAIN', ns: [SOA] },
  { qname: '0a000014.addr.dc1.consul', qtype: 'A', rcode: 'NOERROR', answer: ['0a000014.addr.dc1.consul. 0 IN A 10.0.0.20'] },
  { qname: '0a000014.addr.dc1.consul', qtype: 'AAAA', rcode: 'NOERROR', ns: [SOA] },
  { qname: 'consul', qtype: 'SOA', rcode: 'NOERROR', answer: [SOA] },
  { qname: 'consul', qtype: 'NS', rcode: 'NOERROR', answer: ['consul. 0 IN NS ns.consul.'] },
  { qname: 'nothing.here.consul', qtype: 'A', rcode: 'NXDOMAIN', ns: [SOA] },
  { qname: 'example.org', qtype: 'A', rcode: 'REFUSED' },
  // Reverse lookups (consul handlePtr): nodes by address first, then a service instance's own address.
  { qname: '1.0.0.10.in-addr.arpa', qtype: 'PTR', rcode: 'NOERROR', answer: ['1.0.0.10.in-addr.arpa. 0 IN PTR node1.node.dc1.consul.'] },
  { qname: '20.0.0.10.in-addr.arpa', qtype: 'PTR', rcode: 'NOERROR', answer: ['20.0.0.10.in-addr.arpa. 0 IN PTR web.service.dc1.consul.'] },
  { qname: '6.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa', qtype: 'PTR', rcode: 'NOERROR', answer: ['6.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa. 0 IN PTR node6.node.dc1.consul.'] },
  { qname: '9.9.9.9.in-addr.arpa', qtype: 'PTR', rcode: 'REFUSED' },
  { qname: '10.in-addr.arpa', qtype: 'PTR', rcode: 'REFUSED' },
  { qname: 'consul', qtype: 'AXFR', rcode: 'NOTIMP' },
];

describe('DNS answers', () => {
  it.each(cases)('$qname $qtype → $rcode', async (c) => {
    const reply = decodeReply((await respond(query(c.qname, c.qtype, 77), sources, settings))!.bytes);
    expect(reply.id).toBe(77);
    expect(reply.rcode).toBe(c.rcode);
    expect(sorted(reply.answer)).toEqual(sorted(c.answer ?? []));
    expect(reply.ns).toEqual(c.ns ?? []);
    expect(sorted(reply.extra)).toEqual(sorted(c.extra ?? []));
  });

  it('is authoritative for its own names only', async () => {
    expect(decodeReply((await respond(query('web.service.consul', 'A'), sources, settings))!.bytes).aa).toBe(true);
    expect(decodeReply((await respond(query('example.org', 'A'), sources, settings))!.bytes).aa).toBe(false);
  });

  it('shuffles instances', async () => {
    const firsts = new Set<string>();
    for (let i = 0; i < 40; i++) firsts.add(decodeReply((await respond(query('web.service.consul', 'A'), sources, settings))!.bytes).answer[0]);
    expect(firsts.size).toBe(2);
  });

  it('answers undecodable bytes with FORMERR keeping the ID, and too few bytes with nothing', async () => {
    const reply = await respond(new Uint8Array([0x12, 0x34, 1, 0, 0]), sources, settings);
    expect(decodeReply(reply!.bytes)).toMatchObject({ id: 0x1234, rcode: 'FORMERR' });
    expect(await respond(new Uint8Array([1]), sources, settings)).toBeUndefined();
  });

  it('leaves instances in warning out too with only_passing (DNS_ONLY_PASSING)', async () => {
    const strict = { ...settings, onlyPassing: true };
    const reply = decodeReply((await respond(query('web.service.consul', 'A'), sources, strict))!.bytes);
    expect(reply.answer).toEqual(['web.service.consul. 0 IN A 10.0.0.1']);
    expect(dnsSettings({ DNS_ONLY_PASSING: 'true' }).onlyPassing).toBe(true);
    expect(dnsSettings({}).onlyPassing).toBe(false);
    expect(() => dnsSettings({ DNS_ONLY_PASSING: 'yes please' })).toThrow('DNS_ONLY_PASSING: expected true or false');
  });

  it('answers a lookup failure with SERVFAIL', async () => {
    const failing: Sources = () => ({ ...dc1, serviceEntries: async () => Promise.reject(new Error('rpc down')) });
    const reply = decodeReply((await respond(query('web.service.consul', 'A'), failing, settings))!.bytes);
    expect(reply.rcode).toBe('SERVFAIL');
  });
});

describe('service TTLs', () => {
  it.each([
    ['', 'web', 0],
    ['10s', 'web', 10],
    ['{"web":"5s","we*":"7s","w*":"9s","*":"1m"}', 'WEB', 5],
    ['{"web":"5s","we*":"7s","w*":"9s","*":"1m"}', 'west', 7],
    ['{"web":"5s","we*":"7s","w*":"9s","*":"1m"}', 'db', 60],
    ['{"web":"5s"}', 'db', 0],
  ])('%s for %s → %d s', (raw, service, ttl) => {
    expect(serviceTtlLookup(raw)(service)).toBe(ttl);
  });
});
