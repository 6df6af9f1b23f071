import { env, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { ANONYMOUS_ACCESSOR_ID, GLOBAL_MANAGEMENT_ID } from '../consul/acl';
import { api, uniq } from '../test-support';
import { GLOBAL_MANAGEMENT_RULES } from './rules';
import { as, MANAGEMENT_TOKEN, ok, tokenWithRules } from './test-support';

describe('bootstrap', () => {
  it('is refused once the initial management token exists, with the reset index', async () => {
    await ok(as(MANAGEMENT_TOKEN, '/v1/acl/token/self'));
    const res = await api('/v1/acl/bootstrap', { method: 'PUT' });
    expect(res.status).toBe(403);
    expect(await res.text()).toMatch(/^Permission denied: ACL bootstrap no longer allowed \(reset index: \d+\)$/);
  });

  it('creates one global-management token in a fresh datacenter object, then never again', async () => {
    const stub = env.DATACENTER_OBJECT.getByName(uniq('t'));
    await runInDurableObject(stub, async (dc) => {
      const first = await dc.aclWrite({ kind: 'bootstrap', secret: crypto.randomUUID() }, GLOBAL_MANAGEMENT_RULES);
      expect(first.ok).toBe(true);
      const token = (first as { value: { Description: string; Policies: unknown; Local: boolean } }).value;
      expect(token).toMatchObject({ Description: 'Bootstrap Token (Global Management)', Local: false, Policies: [{ ID: GLOBAL_MANAGEMENT_ID, Name: 'global-management' }] });
      const second = await dc.aclWrite({ kind: 'bootstrap', secret: crypto.randomUUID() }, GLOBAL_MANAGEMENT_RULES);
      expect(second).toMatchObject({ ok: false, status: 403 });
    });
  });
});

describe('tokens', () => {
  it('creates, reads, lists, updates, clones and deletes a token in Consul shapes', async () => {
    const { policyId } = await tokenWithRules('node_prefix "" { policy = "read" }');
    const created = await ok<Record<string, unknown>>(as(MANAGEMENT_TOKEN, '/v1/acl/token', { body: { Description: 'ci', Policies: [{ ID: policyId }], ServiceIdentities: [{ ServiceName: 'web' }] } }));
    expect(created).toMatchObject({ Description: 'ci', Local: false, ServiceIdentities: [{ ServiceName: 'web' }] });
    expect(created.AccessorID).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.SecretID).toMatch(/^[0-9a-f-]{36}$/);
    expect(Object.keys(created)).toEqual(expect.arrayContaining(['CreateTime', 'Hash', 'CreateIndex', 'ModifyIndex']));
    const read = await ok<Record<string, unknown>>(as(MANAGEMENT_TOKEN, `/v1/acl/token/${created.AccessorID}`));
    expect(read).toEqual(created);
    const listed = await ok<{ AccessorID: string; Policies: { ID: string }[] }[]>(as(MANAGEMENT_TOKEN, `/v1/acl/tokens?policy=${policyId}`));
    expect(listed.map((t) => t.AccessorID)).toContain(created.AccessorID);
    expect(listed.every((t) => t.Policies.some((p) => p.ID === policyId))).toBe(true);
    const updated = await ok<Record<string, unknown>>(as(MANAGEMENT_TOKEN, `/v1/acl/token/${created.AccessorID}`, { body: { Description: 'ci2', Policies: [{ ID: policyId }] } }));
    expect(updated).toMatchObject({ AccessorID: created.AccessorID, SecretID: created.SecretID, Description: 'ci2', CreateTime: created.CreateTime });
    const clone = await ok<Record<string, unknown>>(as(MANAGEMENT_TOKEN, `/v1/acl/token/${created.AccessorID}/clone`, { body: { Description: 'copy' } }));
    expect(clone.AccessorID).not.toBe(created.AccessorID);
    expect(clone).toMatchObject({ Description: 'copy', Policies: updated.Policies });
    expect(await ok(as(MANAGEMENT_TOKEN, `/v1/acl/token/${created.AccessorID}`, { method: 'DELETE' }))).toBe(true);
    const gone = await as(MANAGEMENT_TOKEN, `/v1/acl/token/${created.AccessorID}`);
    expect([gone.status, await gone.text()]).toEqual([404, 'Requested token does not exist: ACL not found']);
    // The deleted secret no longer works, at once in this isolate.
    const denied = await as(String(created.SecretID), '/v1/catalog/nodes');
    expect([denied.status, await denied.text()]).toEqual([403, 'ACL not found']);
  });

  it.each([
    [{ AccessorID: 'nope' }, 500, 'Invalid Token: AccessorID - not a valid UUID'],
    [{ Policies: [{ Name: 'no-such-policy' }] }, 500, 'No such ACL policy with name "no-such-policy"'],
    [{ ExpirationTTL: '10s' }, 500, 'ExpirationTime cannot be less than 1m0s in the future (was 10s)'],
    [{ ExpirationTTL: '1h', ExpirationTime: '2030-01-01T00:00:00Z' }, 500, 'Token Expiration TTL and Expiration Time cannot both be set'],
    [{ AuthMethod: 'x' }, 500, 'AuthMethod field is disallowed outside of login'],
    ['{', 400, /^Token decoding failed: /],
  ])('refuses %j with %i', async (body, status, text) => {
    const res = await as(MANAGEMENT_TOKEN, '/v1/acl/token', { body });
    expect(res.status).toBe(status);
    expect(await res.text()).toMatch(text);
  });

  it('refuses to change a SecretID or to delete the anonymous token or the caller itself', async () => {
    const { secret, accessor } = await tokenWithRules('acl = "write"');
    const change = await as(MANAGEMENT_TOKEN, `/v1/acl/token/${accessor}`, { body: { SecretID: crypto.randomUUID() } });
    expect([change.status, await change.text()]).toEqual([500, "Changing a token's SecretID is not permitted"]);
    const anon = await as(MANAGEMENT_TOKEN, `/v1/acl/token/${ANONYMOUS_ACCESSOR_ID}`, { method: 'DELETE' });
    expect([anon.status, await anon.text()]).toEqual([500, 'Delete operation not permitted on the anonymous token']);
    const self = await as(secret, `/v1/acl/token/${accessor}`, { method: 'DELETE' });
    expect([self.status, await self.text()]).toEqual([500, "Deletion of the request's authorization token is not permitted"]);
  });

  it('shows SecretID as <hidden> to acl:read without acl:write, and nothing to others', async () => {
    const reader = await tokenWithRules('acl = "read"');
    const list = await ok<{ SecretID: string }[]>(as(reader.secret, '/v1/acl/tokens'));
    expect(list.length).toBeGreaterThan(0);
    expect(new Set(list.map((t) => t.SecretID))).toEqual(new Set(['<hidden>']));
    const nobody = await tokenWithRules('node_prefix "" { policy = "read" }');
    const res = await as(nobody.secret, '/v1/acl/tokens');
    expect([res.status, await res.text()]).toEqual([403, `Permission denied: token with AccessorID '${nobody.accessor}' lacks permission 'acl:read'`]);
  });

  it('answers token/self with the unredacted token, and 404 for an unknown secret', async () => {
    const { secret, accessor } = await tokenWithRules('node_prefix "" { policy = "read" }');
    expect(await ok(as(secret, '/v1/acl/token/self'))).toMatchObject({ AccessorID: accessor, SecretID: secret });
    const res = await as(crypto.randomUUID(), '/v1/acl/token/self');
    expect([res.status, await res.text()]).toEqual([404, 'Supplied token does not exist']);
  });
});

describe('policies and roles', () => {
  it('keeps global-management locked and lists policies as stubs', async () => {
    const builtin = await ok<{ Name: string; Rules: string }>(as(MANAGEMENT_TOKEN, `/v1/acl/policy/${GLOBAL_MANAGEMENT_ID}`));
    expect(builtin.Name).toBe('global-management');
    const change = await as(MANAGEMENT_TOKEN, `/v1/acl/policy/${GLOBAL_MANAGEMENT_ID}`, { body: { Name: 'global-management', Rules: 'acl = "read"' } });
    expect([change.status, await change.text()]).toEqual([500, 'Changing the Rules for the builtin global-management policy is not permitted']);
    const del = await as(MANAGEMENT_TOKEN, `/v1/acl/policy/${GLOBAL_MANAGEMENT_ID}`, { method: 'DELETE' });
    expect([del.status, await del.text()]).toEqual([500, 'Delete operation not permitted on the builtin global-management policy']);
    const stubs = await ok<Record<string, unknown>[]>(as(MANAGEMENT_TOKEN, '/v1/acl/policies'));
    const gm = stubs.find((p) => p.ID === GLOBAL_MANAGEMENT_ID)!;
    expect(gm).not.toHaveProperty('Rules');
    expect(gm.Datacenters).toBeNull();
  });

  it.each([
    [{ Name: 'bad name!' }, "Invalid Policy: invalid Name. Only alphanumeric characters, '-' and '_' are allowed"],
    [{ Rules: 'x' }, 'Invalid Policy: no Name is set'],
    [{ Name: 'p-bad-rules', Rules: 'service "web" { policy = "maybe" }' }, /^Invalid service policy/],
  ])('refuses policy %j with 500', async (body, text) => {
    const res = await as(MANAGEMENT_TOKEN, '/v1/acl/policy', { body });
    expect(res.status).toBe(500);
    expect(await res.text()).toMatch(text);
  });

  it.each([
    ['policy', 'Policy'],
    ['role', 'Role'],
  ])('%s: ID in the URL must match the body; unknown name and ID answer 404', async (noun, Noun) => {
    const created = await ok<{ ID: string }>(as(MANAGEMENT_TOKEN, `/v1/acl/${noun}`, { body: { Name: uniq(noun) } }));
    const mismatch = await as(MANAGEMENT_TOKEN, `/v1/acl/${noun}/${created.ID}`, { body: { ID: crypto.randomUUID(), Name: uniq(noun) } });
    expect([mismatch.status, await mismatch.text()]).toEqual([400, `${Noun} ID in URL and payload do not match`]);
    const missingName = await as(MANAGEMENT_TOKEN, `/v1/acl/${noun}/name/${uniq('none')}`);
    expect([missingName.status, await missingName.text()]).toEqual([404, `Requested ${noun} does not exist: ACL not found`]);
    const renamed = uniq(noun);
    await ok(as(MANAGEMENT_TOKEN, `/v1/acl/${noun}/${created.ID.toUpperCase()}`, { body: { ID: created.ID, Name: renamed } }));
    expect(await ok(as(MANAGEMENT_TOKEN, `/v1/acl/${noun}/name/${renamed}`))).toMatchObject({ ID: created.ID });
    await ok(as(MANAGEMENT_TOKEN, `/v1/acl/${noun}/${created.ID}`, { method: 'DELETE' }));
    expect((await as(MANAGEMENT_TOKEN, `/v1/acl/${noun}/${created.ID}`)).status).toBe(404);
  });

  it('reads a policy by name, refuses a duplicate name, and a role grants its policies', async () => {
    const name = uniq('svc');
    const policy = await ok<{ ID: string }>(as(MANAGEMENT_TOKEN, '/v1/acl/policy', { body: { Name: name, Rules: `service "${name}" { policy = "write" }` } }));
    expect(await ok(as(MANAGEMENT_TOKEN, `/v1/acl/policy/name/${name}`))).toMatchObject({ ID: policy.ID });
    const dup = await as(MANAGEMENT_TOKEN, '/v1/acl/policy', { body: { Name: name } });
    expect([dup.status, await dup.text()]).toEqual([500, `Invalid Policy: A Policy with Name "${name}" already exists`]);
    const role = await ok<{ ID: string; Policies: unknown }>(as(MANAGEMENT_TOKEN, '/v1/acl/role', { body: { Name: uniq('r'), Policies: [{ Name: name }] } }));
    expect(role.Policies).toEqual([{ ID: policy.ID, Name: name }]);
    const token = await ok<{ SecretID: string }>(as(MANAGEMENT_TOKEN, '/v1/acl/token', { body: { Roles: [{ ID: role.ID }] } }));
    const reg = await as(token.SecretID, '/v1/agent/service/register', { body: { Name: name, ID: `${name}-1` } });
    expect(reg.status).toBe(200);
    expect(await ok<{ ID: string }[]>(as(MANAGEMENT_TOKEN, `/v1/acl/roles?policy=${policy.ID}`))).toEqual([expect.objectContaining({ ID: role.ID })]);
  });
});

describe('authorize and agent tokens', () => {
  it('answers each authorization in order', async () => {
    const { secret } = await tokenWithRules('service "web" { policy = "write" }\noperator = "read"');
    const body = [
      { Resource: 'service', Segment: 'web', Access: 'write' },
      { Resource: 'service', Segment: 'db', Access: 'read' },
      { Resource: 'operator', Access: 'read' },
      { Resource: 'operator', Access: 'write' },
    ];
    const answers = await ok(as(secret, '/v1/internal/acl/authorize', { method: 'POST', body }));
    expect(answers).toEqual(body.map((b, i) => ({ ...b, Allow: i === 0 || i === 2 })));
    const bad = await as(secret, '/v1/internal/acl/authorize', { method: 'POST', body: [{ Resource: 'nope', Access: 'read' }] });
    expect([bad.status, await bad.text()]).toEqual([400, 'Invalid ACL resource requested: "nope"']);
  });

  it('takes PUT /v1/agent/token/:type with agent:write, and 404s an unknown type', async () => {
    expect((await as(MANAGEMENT_TOKEN, '/v1/agent/token/default', { body: { Token: 'x' } })).status).toBe(200);
    const unknown = await as(MANAGEMENT_TOKEN, '/v1/agent/token/nope', { body: { Token: 'x' } });
    expect([unknown.status, await unknown.text()]).toEqual([404, 'Token "nope" is unknown']);
  });
});

describe('expiry', () => {
  it('a token past its ExpirationTime is not found and no longer works', async () => {
    const created = await ok<{ AccessorID: string; SecretID: string; ExpirationTime: string }>(
      as(MANAGEMENT_TOKEN, '/v1/acl/token', { body: { ExpirationTTL: '1m', Policies: [] } }));
    expect(Date.parse(created.ExpirationTime) - Date.now()).toBeGreaterThan(50_000);
    expect((await as(created.SecretID, '/v1/acl/token/self')).status).toBe(200);
    // Move the primary's clock past the expiry instead of sleeping.
    await runInDurableObject(env.DATACENTER_OBJECT.getByName('dc1'), (dc) => dc.clock.advance(2 * 60_000));
    try {
      const self = await as(created.SecretID, '/v1/acl/token/self');
      expect(self.status).toBe(404);
      expect((await as(MANAGEMENT_TOKEN, `/v1/acl/token/${created.AccessorID}`)).status).toBe(404);
    } finally {
      await runInDurableObject(env.DATACENTER_OBJECT.getByName('dc1'), (dc) => dc.clock.advance(-2 * 60_000));
    }
  });
});

describe('blocking ACL reads', () => {
  it('GET /v1/acl/tokens?index= waits for a token write and answers with the newer index', async () => {
    const first = await as(MANAGEMENT_TOKEN, '/v1/acl/tokens');
    const index = Number(first.headers.get('X-Consul-Index'));
    expect(index).toBeGreaterThan(0);
    const waiting = as(MANAGEMENT_TOKEN, `/v1/acl/tokens?index=${index}&wait=20s`);
    const created = await ok<{ AccessorID: string }>(as(MANAGEMENT_TOKEN, '/v1/acl/token', { body: { Description: 'wakes the watcher' } }));
    const res = await waiting;
    expect(Number(res.headers.get('X-Consul-Index'))).toBeGreaterThan(index);
    expect(((await res.json()) as { AccessorID: string }[]).map((t) => t.AccessorID)).toContain(created.AccessorID);
  });
});
