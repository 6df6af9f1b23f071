// Datacenters: tokens, policies and roles are global (written in the primary, honoured everywhere);
// a Local token only in the datacenter that created it; a policy's Datacenters limit where it applies.
import { describe, expect, it } from 'vitest';
import { uniq } from '../test-support';
import { as, MANAGEMENT_TOKEN, ok } from './test-support';

describe('ACLs across datacenters', () => {
  it.each([
    { name: 'a global token works in every datacenter', local: false, createdIn: 'dc1', policyDcs: undefined, allowed: { dc1: true, dc2: true } },
    { name: 'a Local token works only where it was created', local: true, createdIn: 'dc2', policyDcs: undefined, allowed: { dc1: false, dc2: true } },
    { name: 'a policy limited to dc1 grants nothing in dc2', local: false, createdIn: 'dc1', policyDcs: ['dc1'], allowed: { dc1: true, dc2: false } },
  ])('$name', async ({ local, createdIn, policyDcs, allowed }) => {
    const key = uniq('fed');
    const policy = await ok<{ ID: string }>(as(MANAGEMENT_TOKEN, `/v1/acl/policy?dc=${createdIn}`, { body: { Name: uniq('p'), Rules: `key_prefix "${key}" { policy = "write" }`, Datacenters: policyDcs } }));
    const token = await ok<{ SecretID: string; Local: boolean }>(as(MANAGEMENT_TOKEN, `/v1/acl/token?dc=${createdIn}`, { body: { Local: local, Policies: [{ ID: policy.ID }] } }));
    expect(token.Local).toBe(local);
    for (const [dc, may] of Object.entries(allowed)) {
      const res = await as(token.SecretID, `/v1/kv/${key}/x?dc=${dc}`, { body: 'v' });
      const text = await res.text();
      expect([dc, res.status]).toEqual([dc, may ? 200 : 403]);
      // An unknown-here Local token is "ACL not found"; a known token lacking a rule is a permission denial.
      if (!may) expect(text).toMatch(local ? /^ACL not found$/ : /^Permission denied: token with AccessorID/);
    }
  });

  it('a token listed in one datacenter is listed in all, a Local one only in its own', async () => {
    const global = await ok<{ AccessorID: string }>(as(MANAGEMENT_TOKEN, '/v1/acl/token?dc=dc2', { body: {} }));
    const local = await ok<{ AccessorID: string }>(as(MANAGEMENT_TOKEN, '/v1/acl/token?dc=dc2', { body: { Local: true } }));
    const ids = async (dc: string) => (await ok<{ AccessorID: string }[]>(as(MANAGEMENT_TOKEN, `/v1/acl/tokens?dc=${dc}`))).map((t) => t.AccessorID);
    expect((await ids('dc1')).includes(global.AccessorID)).toBe(true);
    expect((await ids('dc1')).includes(local.AccessorID)).toBe(false);
    expect((await ids('dc2')).includes(local.AccessorID)).toBe(true);
  });
});
