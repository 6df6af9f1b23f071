// ?cached and ?stale with ACLs on (default deny): the permission table still runs on every read, hit or
// miss; each token has its own entry, so an answer filtered for one token never reaches another; a
// deleted token's cached entry answers nothing more.
import { beforeAll, describe, expect, it } from 'vitest';
import { uniq } from '../test-support';
import { as, MANAGEMENT_TOKEN, ok, tokenWithRules } from '../acl/test-support';

const W = uniq('cweb');
const D = uniq('cdb');
let web: { secret: string; accessor: string };
let all: { secret: string; accessor: string };

beforeAll(async () => {
  web = await tokenWithRules(`service_prefix "${W}" { policy = "read" }\nnode_prefix "" { policy = "read" }`);
  all = await tokenWithRules(`service_prefix "" { policy = "read" }\nnode_prefix "" { policy = "read" }`);
  for (const name of [W, D]) await ok(as(MANAGEMENT_TOKEN, '/v1/agent/service/register', { body: { Name: name, ID: `${name}-1` } }));
});

const services = async (token: string, query: string) => {
  const res = await as(token, `/v1/catalog/services?${query}`);
  return { status: res.status, xCache: res.headers.get('X-Cache'), filtered: res.headers.get('X-Consul-Results-Filtered-By-ACLs'), body: (await res.json()) as Record<string, string[]> };
};

describe('cached reads with ACLs on', () => {
  it.each(['cached', 'stale'])('?%s: each token reads its own filtered copy, hit after hit', async (flag) => {
    const query = `${flag}&filter=${encodeURIComponent(`ServiceName == "${W}" or ServiceName == "${D}"`)}`;
    for (let round = 0; round < 2; round++) {
      const narrow = await services(web.secret, query);
      expect(Object.keys(narrow.body)).toEqual([W]);
      expect(narrow.filtered).toBe('true');
      const wide = await services(all.secret, query);
      expect(Object.keys(wide.body).sort()).toEqual([W, D].sort());
      expect(wide.filtered).toBeNull();
      if (flag === 'cached') expect([narrow.xCache, wide.xCache]).toEqual(round ? ['HIT', 'HIT'] : ['MISS', 'MISS']);
    }
  });

  it.each([
    ['no token (anonymous, default deny)', () => '', 200, 0],
    ['a token that cannot read the service', () => web.secret, 200, 0],
    ['a token that can', () => all.secret, 200, 1],
    ['an unknown token', () => crypto.randomUUID(), 403, undefined],
  ])('after another token\'s hit, the permission table still decides: %s → %i', async (_title, token, status, instances) => {
    const path = `/v1/health/service/${D}?cached`;
    const other = await tokenWithRules(`service_prefix "" { policy = "read" }\nnode_prefix "" { policy = "read" }`);
    await ok(as(other.secret, path));
    expect((await as(other.secret, path)).headers.get('X-Cache')).toBe('HIT');
    const res = await as(token(), path);
    expect(res.status).toBe(status);
    if (instances === undefined) return void (await res.arrayBuffer());
    expect(((await res.json()) as unknown[]).length).toBe(instances);
  });

  it('a deleted token\'s entry answers nothing more', async () => {
    const doomed = await tokenWithRules(`service_prefix "" { policy = "read" }\nnode_prefix "" { policy = "read" }`);
    const path = `/v1/health/service/${W}?cached`;
    await ok(as(doomed.secret, path));
    expect((await as(doomed.secret, path)).headers.get('X-Cache')).toBe('HIT');
    await ok(as(MANAGEMENT_TOKEN, `/v1/acl/token/${doomed.accessor}`, { method: 'DELETE' }));
    const res = await as(doomed.secret, path);
    expect(res.status).toBe(403);
    await res.arrayBuffer();
  });
});
