import { describe, expect, it } from 'vitest';
import { shardCheckKind, shardLocationHint } from './shard-of';

const FEDERATION = { primary: 'dc1', datacenters: [{ name: 'dc1', locationHint: 'wnam' }, { name: 'dc2' }] };

describe('shardLocationHint (where link.ts creates a datacenter\'s shards)', () => {
  it.each([
    ['the datacenter\'s hint', FEDERATION, 'dc1', 'wnam'],
    ['names compared case-insensitively', FEDERATION, 'DC1', 'wnam'],
    ['FEDERATION as the JSON text of a var', JSON.stringify(FEDERATION), 'dc1', 'wnam'],
    ['none for a datacenter without one', FEDERATION, 'dc2', undefined],
    ['none for an undeclared datacenter', FEDERATION, 'dc9', undefined],
    ['none without FEDERATION', undefined, 'dc1', undefined],
  ])('%s', (_case, federation, datacenter, hint) => {
    expect(shardLocationHint(federation, datacenter)).toBe(hint);
  });
});

describe('shardCheckKind (which checks a shard runs)', () => {
  it.each([
    [{ TTL: 10_000 }, 'ttl'],
    [{ HTTP: 'http://127.0.0.1/', Interval: 10_000 }, 'http'],
    [{ TCP: '127.0.0.1:80', Interval: 10_000 }, 'tcp'],
    [{ HTTP: 'http://127.0.0.1/' }, undefined],
    [{}, undefined],
  ])('%j is %s', (run, kind) => {
    expect(shardCheckKind(run)).toBe(kind);
  });
});
