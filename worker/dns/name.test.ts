import { describe, expect, it } from 'vitest';
import { addrLabel, parseName, type DnsName } from './name';

const cases: Array<[string, DnsName]> = [
  ['web.service.consul', { kind: 'service', service: 'web', tag: undefined, dc: undefined, rfc2782: false }],
  ['web.service.consul.', { kind: 'service', service: 'web', tag: undefined, dc: undefined, rfc2782: false }],
  ['WEB.Service.CONSUL', { kind: 'service', service: 'WEB', tag: undefined, dc: undefined, rfc2782: false }],
  ['web.service.dc1.consul', { kind: 'service', service: 'web', tag: undefined, dc: 'dc1', rfc2782: false }],
  ['primary.web.service.consul', { kind: 'service', service: 'web', tag: 'primary', dc: undefined, rfc2782: false }],
  ['v1.primary.web.service.dc2.consul', { kind: 'service', service: 'web', tag: 'v1.primary', dc: 'dc2', rfc2782: false }],
  ['_web._tcp.service.consul', { kind: 'service', service: 'web', tag: undefined, dc: undefined, rfc2782: true }],
  ['_web._primary.service.dc1.consul', { kind: 'service', service: 'web', tag: 'primary', dc: 'dc1', rfc2782: true }],
  ['_web._tcp.consul', { kind: 'service', service: 'web', tag: undefined, dc: undefined, rfc2782: true }],
  ['_web._tcp.dc1.consul', { kind: 'service', service: 'web', tag: undefined, dc: 'dc1', rfc2782: true }],
  ['beacon.node.consul', { kind: 'node', node: 'beacon', dc: undefined }],
  ['host.example.node.dc1.consul', { kind: 'node', node: 'host.example', dc: 'dc1' }],
  ['0a000005.addr.dc1.consul', { kind: 'addr', ip: '10.0.0.5', family: 4, dc: 'dc1' }],
  ['20010db8000000000000000000000001.addr.consul', { kind: 'addr', ip: '2001:0db8:0000:0000:0000:0000:0000:0001', family: 6, dc: undefined }],
  ['consul.', { kind: 'apex' }],
  ['nope.consul', { kind: 'unknown' }],
  ['service.consul', { kind: 'unknown' }],
  ['zz.addr.consul', { kind: 'unknown' }],
  ['x.query.consul', { kind: 'query', query: 'x', dc: undefined }],
  ['Geo.DB.query.dc2.consul', { kind: 'query', query: 'Geo.DB', dc: 'dc2' }],
  ['_db._tcp.query.consul', { kind: 'query', query: 'db', dc: undefined }],
  ['query.consul', { kind: 'unknown' }],
  ['example.org', { kind: 'outside' }],
  ['4.3.2.10.in-addr.arpa.', { kind: 'reverse', hex: '0a020304' }],
  ['4.3.2.10.IN-ADDR.ARPA', { kind: 'reverse', hex: '0a020304' }],
  ['6.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa', { kind: 'reverse', hex: '20010db8000000000000000000000006' }],
  ['3.2.10.in-addr.arpa', { kind: 'outside' }],
  ['4.3.2.999.in-addr.arpa', { kind: 'outside' }],
  ['x.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa', { kind: 'outside' }],
  ['consul.example.org', { kind: 'outside' }],
  ['.', { kind: 'outside' }],
];

describe('parseName', () => {
  it.each(cases)('%s', (qname, expected) => {
    expect(parseName(qname)).toEqual(expected);
  });
});

describe('addrLabel', () => {
  it.each([
    ['10.0.0.5', '0a000005'],
    ['2001:db8::1', '20010db8000000000000000000000001'],
    ['::ffff:10.0.0.1', '00000000000000000000ffff0a000001'],
    ['web.example.com', undefined],
  ])('%s → %s', (ip, label) => {
    expect(addrLabel(ip)).toBe(label);
  });
});
