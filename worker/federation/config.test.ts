import { describe, expect, it } from 'vitest';
import LOCAL_FEDERATION from '../../scripts/local-federation.json';
import { parseFederation } from './config';
import { datacenterOfRequest, datacentersByDistance, failoverOrder } from './distance';

const dcs = (...names: string[]) => names.map((name) => ({ name }));

describe('FEDERATION configuration', () => {
  it.each([
    ['an empty list', { primary: 'dc1', datacenters: [] }, 'Beacon: bad FEDERATION configuration: datacenters: declare at least one datacenter'],
    ['a duplicate name', { primary: 'dc1', datacenters: dcs('dc1', 'DC1') }, 'Beacon: bad FEDERATION configuration: datacenter "DC1" is declared twice'],
    ['an undeclared primary', { primary: 'dc9', datacenters: dcs('dc1', 'dc2') }, 'Beacon: bad FEDERATION configuration: primary "dc9" is not a declared datacenter (declared: dc1, dc2)'],
    ['a region mapped nowhere', { primary: 'dc1', datacenters: dcs('dc1'), regions: { EU: 'dc2' } }, 'Beacon: bad FEDERATION configuration: regions.EU "dc2" is not a declared datacenter (declared: dc1)'],
    ['an undeclared default', { primary: 'dc1', datacenters: dcs('dc1'), default: 'x' }, 'Beacon: bad FEDERATION configuration: default "x" is not a declared datacenter (declared: dc1)'],
    ['an unknown location hint', { primary: 'dc1', datacenters: [{ name: 'dc1', locationHint: 'mars' }] }, 'datacenters.0.locationHint'],
    ['a name with a dot', { primary: 'a.b', datacenters: dcs('a.b') }, 'a datacenter name is letters, digits, "-" and "_"'],
    ['no primary', { datacenters: dcs('dc1') }, 'primary'],
    ['text that is not JSON', '{primary', 'Beacon: bad FEDERATION configuration: not JSON'],
    ['replication of no prefix', { primary: 'dc1', datacenters: dcs('dc1'), replicate: { prefixes: [] } }, 'Beacon: bad FEDERATION configuration: replicate.prefixes: name at least one prefix to replicate'],
    ['replication faster than a second', { primary: 'dc1', datacenters: dcs('dc1'), replicate: { prefixes: ['a/'], intervalMs: 10 } }, 'replicate at most once a second'],
  ])('refuses %s with a clear message', (_, raw, message) => {
    expect(() => parseFederation(raw)).toThrow(message);
  });

  it('takes the object wrangler.toml gives or the JSON text --var gives, and defaults to one datacenter', () => {
    expect(parseFederation(LOCAL_FEDERATION).declared.map((d) => d.name)).toEqual(['dc1', 'dc2', 'dc3']);
    expect(parseFederation(JSON.stringify(LOCAL_FEDERATION)).primary).toBe('dc1');
    const single = parseFederation(undefined, 'east');
    expect([single.primary, single.declared.map((d) => d.name), single.remoteTimeoutMs]).toEqual(['east', ['east'], 1000]);
  });
});

describe('distance and defaults', () => {
  const federation = parseFederation(LOCAL_FEDERATION);

  it.each([
    ['dc1', ['dc1', 'dc2', 'dc3']],
    ['dc2', ['dc2', 'dc1', 'dc3']],
    ['dc3', ['dc3', 'dc2', 'dc1']],
  ])('lists datacenters from %s: itself first, then nearest first', (from, expected) => {
    expect(datacentersByDistance(federation, from)).toEqual(expected);
  });

  it('puts datacenters without a location after those with one, in declaration order', () => {
    const f = parseFederation({ primary: 'a', datacenters: [{ name: 'a', locationHint: 'weur' }, { name: 'b' }, { name: 'c', coordinates: [48.9, 2.4] }] });
    expect(datacentersByDistance(f, 'a')).toEqual(['a', 'c', 'b']);
  });

  it.each([
    [{ continent: 'EU', country: 'DE', colo: 'FRA' }, 'dc3'],
    [{ continent: 'NA', country: 'US', colo: 'DFW' }, 'dc1'],
    [undefined, 'dc1'],
  ])('maps request.cf %o to %s', (cf, dc) => {
    expect(datacenterOfRequest(federation, cf)).toBe(dc);
  });

  it('prefers the most specific region: colo, then country, then continent', () => {
    const f = parseFederation({ primary: 'a', datacenters: dcs('a', 'b', 'c'), regions: { EU: 'a', de: 'b', FRA: 'c' } });
    expect(datacenterOfRequest(f, { continent: 'EU', country: 'DE', colo: 'FRA' })).toBe('c');
    expect(datacenterOfRequest(f, { continent: 'EU', country: 'DE', colo: 'AMS' })).toBe('b');
    expect(datacenterOfRequest(f, { continent: 'EU', country: 'FR' })).toBe('a');
  });

  it.each([
    [{ NearestN: 0, Datacenters: null }, []],
    [{ NearestN: 1, Datacenters: null }, ['dc2']],
    [{ NearestN: 5, Datacenters: null }, ['dc2', 'dc3']],
    [{ NearestN: 0, Datacenters: ['dc3', 'dc2'] }, ['dc3', 'dc2']],
    [{ NearestN: 1, Datacenters: ['dc2', 'nowhere', 'dc1', 'DC3'] }, ['dc2', 'dc3']],
  ])('fails over from dc1 with %o to %o', (failover, expected) => {
    expect(failoverOrder(federation, 'dc1', failover)).toEqual(expected);
  });
});
