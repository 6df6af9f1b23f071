// With ACLs on, the held-watch fast paths step aside and the full app holds every watch: a watch whose
// token is deleted while it is parked answers nothing more once a write wakes it (the token is re-checked
// on wake), for each shape the fast paths take while ACLs are off.
import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { inObject } from '../../durable-objects/test-support';
import { uniq } from '../test-support';
import { as, MANAGEMENT_TOKEN, ok, tokenWithRules } from '../acl/test-support';

const ID = uniq('held-acl');
const RULES = `service_prefix "" { policy = "read" }\nnode_prefix "" { policy = "read" }\nkey_prefix "" { policy = "write" }`;

beforeAll(async () => {
  await ok(as(MANAGEMENT_TOKEN, '/v1/agent/service/register', { body: { ID: `${ID}-1`, Name: ID, Check: { TTL: '1h', Status: 'passing' } } }));
  await ok(as(MANAGEMENT_TOKEN, `/v1/kv/${ID}/k`, { method: 'PUT', body: 'v1' }));
});

describe('held watches with ACLs on', () => {
  it.each([
    ['health/service', `/v1/health/service/${ID}`, '', `service.${ID}`, () => ok(as(MANAGEMENT_TOKEN, `/v1/agent/check/fail/service:${ID}-1`, { method: 'PUT' }))],
    ['kv key', `/v1/kv/${ID}/k`, '', `kv:${ID}/k`, () => ok(as(MANAGEMENT_TOKEN, `/v1/kv/${ID}/k`, { method: 'PUT', body: 'v2' }))],
    ['kv prefix', `/v1/kv/${ID}/`, 'recurse&', `kvprefix:${ID}/`, () => ok(as(MANAGEMENT_TOKEN, `/v1/kv/${ID}/k2`, { method: 'PUT', body: 'x' }))],
  ])('%s: a watch whose token is deleted while parked gets 403 when it wakes', async (_shape, path, query, row, change) => {
    const held = await tokenWithRules(RULES);
    const first = await as(held.secret, `${path}?${query}`);
    await first.arrayBuffer();
    expect(first.status).toBe(200);
    const waiting = as(held.secret, `${path}?${query}index=${first.headers.get('X-Consul-Index')}&wait=20s`);
    // Parked in the object (past the token check at the start) before the token goes.
    const parked = () => inObject(env.DATACENTER_OBJECT.getByName('dc1'), (instance) => instance.watches.parkedOn(row));
    await vi.waitFor(async () => expect(await parked()).toBeGreaterThan(0), { timeout: 10_000, interval: 10 });
    await ok(as(MANAGEMENT_TOKEN, `/v1/acl/token/${held.accessor}`, { method: 'DELETE' }));
    await change();
    const res = await waiting;
    expect([res.status, await res.text()]).toEqual([403, 'ACL not found']);
  });
});
