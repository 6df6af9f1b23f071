// One row per endpoint family × allowed / denied / filtered, with ACLs on and default deny.
import { beforeAll, describe, expect, it } from 'vitest';
import { api, uniq } from '../test-support';
import { as, MANAGEMENT_TOKEN, ok, tokenWithRules } from './test-support';

const W = uniq('web');
const D = uniq('db');
let t: { secret: string; accessor: string };
let bare: { secret: string; accessor: string };
let t2: { secret: string; accessor: string };
let sessionId = '';

beforeAll(async () => {
  t = await tokenWithRules(`
    service_prefix "${W}" { policy = "write" }
    node_prefix "" { policy = "read" }
    node_prefix "n-${W}" { policy = "write" }
    key_prefix "${W}/" { policy = "write" }
    session_prefix "" { policy = "write" }
    event_prefix "${W}" { policy = "write" }
    query_prefix "${W}" { policy = "write" }
    agent_prefix "" { policy = "read" }
  `);
  bare = await tokenWithRules(`node_prefix "" { policy = "read" }`);
  t2 = await tokenWithRules(`service_prefix "" { policy = "read" }`);
  for (const name of [W, D]) {
    await ok(as(MANAGEMENT_TOKEN, '/v1/agent/service/register', { body: { Name: name, ID: `${name}-1`, Check: { TTL: '30s' } } }));
    await ok(as(MANAGEMENT_TOKEN, `/v1/agent/check/pass/service:${name}-1`, { method: 'PUT' }));
    await ok(as(MANAGEMENT_TOKEN, `/v1/kv/${name}/a`, { body: 'v' }));
    await ok(as(MANAGEMENT_TOKEN, `/v1/event/fire/${name}`, { body: '' }));
    await ok(as(MANAGEMENT_TOKEN, '/v1/query', { method: 'POST', body: { Name: name, Service: { Service: name } } }));
  }
  sessionId = (await ok<{ ID: string }>(as(MANAGEMENT_TOKEN, '/v1/session/create', { body: {} }))).ID;
});

type Row = { name: string; token?: () => string; method?: string; path: () => string; body?: () => unknown; headers?: Record<string, string>; status: number; text?: () => string | RegExp; check?: (body: any) => void; filtered?: boolean };
const deniedText = (perm: string, on?: string) => () =>
  `Permission denied: token with AccessorID '${t.accessor}' lacks permission '${perm}'${on === undefined ? '' : ` on ${JSON.stringify(on)}`}`;

const ROWS: Row[] = [
  { name: 'catalog register: node and service write', path: () => '/v1/catalog/register', body: () => ({ Node: `n-${W}`, Address: '10.0.0.1', Service: { Service: W } }), status: 200 },
  { name: 'catalog register: another service', path: () => '/v1/catalog/register', body: () => ({ Node: `n-${W}`, Address: '10.0.0.1', Service: { Service: D } }), status: 403, text: deniedText('service:write', D) },
  { name: 'catalog register: another node', path: () => '/v1/catalog/register', body: () => ({ Node: `x-${D}`, Address: '10.0.0.1' }), status: 403, text: deniedText('node:write', `x-${D}`) },
  { name: 'catalog services: filtered', path: () => '/v1/catalog/services', status: 200, filtered: true, check: (b) => expect([W in b, D in b]).toEqual([true, false]) },
  { name: 'catalog service: readable', path: () => `/v1/catalog/service/${W}`, status: 200, check: (b) => expect(b.length).toBeGreaterThan(0) },
  { name: 'catalog service: filtered out', path: () => `/v1/catalog/service/${D}`, status: 200, filtered: true, check: (b) => expect(b).toEqual([]) },
  { name: 'health service: readable', path: () => `/v1/health/service/${W}`, status: 200, check: (b) => expect(b.length).toBeGreaterThan(0) },
  { name: 'health service: filtered out', path: () => `/v1/health/service/${D}`, status: 200, filtered: true, check: (b) => expect(b).toEqual([]) },
  { name: 'health state: filtered', path: () => '/v1/health/state/any', status: 200, filtered: true, check: (b) => expect(b.some((c: any) => c.ServiceName === D)).toBe(false) },
  { name: 'agent register: own service', path: () => '/v1/agent/service/register', body: () => ({ Name: W, ID: `${W}-2` }), status: 200 },
  { name: 'agent register: other service', path: () => '/v1/agent/service/register', body: () => ({ Name: D, ID: `${D}-2` }), status: 403, text: deniedText('service:write', D) },
  { name: 'agent deregister: other service', path: () => `/v1/agent/service/deregister/${D}-1`, status: 403, text: deniedText('service:write', D), method: 'PUT' },
  // The agent rows below find their service or check by ID, one row each (issue 12): IDs match case-insensitively.
  { name: 'agent service maintenance: other service', method: 'PUT', path: () => `/v1/agent/service/maintenance/${D.toUpperCase()}-1?enable=true`, status: 403, text: deniedText('service:write', D) },
  { name: 'agent service: other service', path: () => `/v1/agent/service/${D}-1`, status: 403, text: deniedText('service:read', D) },
  { name: 'agent service: own service', path: () => `/v1/agent/service/${W}-1`, status: 200, check: (b) => expect(b.Service).toBe(W) },
  { name: 'agent health by id: other service', path: () => `/v1/agent/health/service/id/${D}-1`, status: 403, text: deniedText('service:read', D) },
  { name: 'agent check register: on other service', path: () => '/v1/agent/check/register', body: () => ({ Name: 'x', ServiceID: `${D}-1`, TTL: '10s' }), status: 403, text: deniedText('service:write', D) },
  { name: 'agent check register: node check', path: () => '/v1/agent/check/register', body: () => ({ Name: 'x', TTL: '10s' }), status: 403, text: deniedText('node:write', 'beacon') },
  { name: 'agent check deregister: other service\'s check', method: 'PUT', path: () => `/v1/agent/check/deregister/service:${D}-1`, status: 403, text: deniedText('service:write', D) },
  { name: 'agent check deregister: node check', method: 'PUT', path: () => '/v1/agent/check/deregister/serfHealth', status: 403, text: deniedText('node:write', 'beacon') },
  { name: 'agent check deregister: unknown check', method: 'PUT', path: () => `/v1/agent/check/deregister/${D}-none`, status: 404 },
  { name: 'ui services: filtered', path: () => '/v1/internal/ui/services', status: 200, filtered: true, check: (b) => expect([b.some((x: any) => x.Name === W), b.some((x: any) => x.Name === D)]).toEqual([true, false]) },
  { name: 'ui nodes: services filtered', path: () => '/v1/internal/ui/nodes', status: 200, filtered: true, check: (b) => expect(b.flatMap((n: any) => n.Services.map((x: any) => x.Service)).includes(D)).toBe(false) },
  { name: 'ui nodes: no node read', token: () => t2.secret, path: () => '/v1/internal/ui/nodes', status: 200, filtered: true, check: (b) => expect(b).toEqual([]) },
  { name: 'agent services: filtered', path: () => '/v1/agent/services', status: 200, filtered: true, check: (b) => expect([`${W}-1` in b, `${D}-1` in b]).toEqual([true, false]) },
  { name: 'agent checks: filtered', path: () => '/v1/agent/checks', status: 200, filtered: true, check: (b) => expect(Object.values(b).some((c: any) => c.ServiceName === D)).toBe(false) },
  { name: 'agent self: agent read', path: () => '/v1/agent/self', status: 200 },
  { name: 'agent self: no agent rule', token: () => bare.secret, path: () => '/v1/agent/self', status: 403, text: () => `Permission denied: token with AccessorID '${bare.accessor}' lacks permission 'agent:read' on "beacon"` },
  { name: 'agent metrics: agent read', path: () => '/v1/agent/metrics', status: 200, check: (b) => expect(b.Gauges.length).toBeGreaterThan(0) },
  { name: 'agent metrics: no agent rule', token: () => bare.secret, path: () => '/v1/agent/metrics?format=prometheus', status: 403, text: () => `Permission denied: token with AccessorID '${bare.accessor}' lacks permission 'agent:read' on "beacon"` },
  { name: 'heartbeat (fast path): own check', method: 'PUT', path: () => `/v1/agent/check/pass/service:${W}-1`, status: 200 },
  { name: 'heartbeat (fast path): other check', method: 'PUT', path: () => `/v1/agent/check/pass/service:${D}-1`, status: 403, text: deniedText('service:write', D) },
  { name: 'heartbeat (full app): other check', method: 'PUT', path: () => `/v1/agent/check/pass/service:${D}-1?note=x&pretty`, status: 403, text: deniedText('service:write', D) },
  { name: 'kv get (fast path): own key', path: () => `/v1/kv/${W}/a`, status: 200 },
  { name: 'kv get (fast path): other key', path: () => `/v1/kv/${D}/a`, status: 403, text: deniedText('key:read', `${D}/a`) },
  { name: 'kv get (full app): other key', path: () => `/v1/kv/${D}/a?raw`, status: 403, text: deniedText('key:read', `${D}/a`) },
  { name: 'kv recurse: filtered', path: () => '/v1/kv/?recurse', status: 200, filtered: true, check: (b) => expect(b.every((e: any) => e.Key.startsWith(`${W}/`))).toBe(true) },
  { name: 'kv recurse: nothing readable is a 404', path: () => `/v1/kv/${D}?recurse`, status: 404 },
  { name: 'kv put: own key', path: () => `/v1/kv/${W}/b`, body: () => 'x', status: 200 },
  { name: 'kv put: other key', path: () => `/v1/kv/${D}/b`, body: () => 'x', status: 403, text: deniedText('key:write', `${D}/b`) },
  // A declared Content-Length (as HTTP clients send) takes the write fast path (worker/kv-write.ts).
  { name: 'kv put (fast path): own key', path: () => `/v1/kv/${W}/c`, body: () => 'x', headers: { 'Content-Length': '1' }, status: 200 },
  { name: 'kv put (fast path): other key', path: () => `/v1/kv/${D}/c`, body: () => 'x', headers: { 'Content-Length': '1' }, status: 403, text: deniedText('key:write', `${D}/c`) },
  { name: 'kv put (fast path): unknown token', token: () => crypto.randomUUID(), path: () => `/v1/kv/${W}/c`, body: () => 'x', headers: { 'Content-Length': '1' }, status: 403, text: () => 'ACL not found' },
  { name: 'kv delete recurse: own prefix', method: 'DELETE', path: () => `/v1/kv/${W}/b?recurse`, status: 200 },
  { name: 'kv delete recurse: everything', method: 'DELETE', path: () => '/v1/kv/?recurse', status: 403, text: deniedText('key:write', '') },
  { name: 'txn: a denied write fails the transaction', path: () => '/v1/txn', body: () => [{ KV: { Verb: 'set', Key: `${W}/t`, Value: '' } }, { KV: { Verb: 'set', Key: `${D}/t`, Value: '' } }], status: 409, check: (b) => expect(b.Errors).toEqual([{ OpIndex: 1, What: deniedText('key:write', `${D}/t`)() }]) },
  { name: 'txn: reads filtered', path: () => '/v1/txn', body: () => [{ KV: { Verb: 'get-tree', Key: '' } }], status: 200, filtered: true, check: (b) => expect(b.Results.every((r: any) => r.KV.Key.startsWith(`${W}/`))).toBe(true) },
  { name: 'session create: session write', path: () => '/v1/session/create', body: () => ({}), status: 200 },
  { name: 'session create: no session rule', token: () => bare.secret, path: () => '/v1/session/create', body: () => ({}), status: 403, text: () => `Permission denied: token with AccessorID '${bare.accessor}' lacks permission 'session:write' on "beacon"` },
  { name: 'session list: filtered', token: () => bare.secret, path: () => '/v1/session/list', status: 200, filtered: true, check: (b) => expect(b).toEqual([]) },
  { name: 'session info: readable', path: () => `/v1/session/info/${sessionId}`, status: 200, check: (b) => expect(b).toHaveLength(1) },
  { name: 'event fire: own event', path: () => `/v1/event/fire/${W}`, body: () => '', status: 200 },
  { name: 'event fire: other event', path: () => `/v1/event/fire/${D}`, body: () => '', status: 403, text: deniedText('event:write', D) },
  { name: 'event list: filtered', path: () => '/v1/event/list', status: 200, filtered: true, check: (b) => expect(b.some((e: any) => e.Name === D)).toBe(false) },
  { name: 'query create: own name', method: 'POST', path: () => '/v1/query', body: () => ({ Name: `${W}-q`, Service: { Service: W } }), status: 200 },
  { name: 'query create: other name', method: 'POST', path: () => '/v1/query', body: () => ({ Name: `${D}-q`, Service: { Service: D } }), status: 403, text: deniedText('query:write', `${D}-q`) },
  { name: 'query explain: denied without query read', path: () => `/v1/query/${D}/explain`, status: 403, text: deniedText('query:read', D) },
  { name: 'query explain: allowed with query read', path: () => `/v1/query/${W}/explain`, status: 200, check: (b) => expect(b.Query.Name).toBe(W) },
  { name: 'query list: filtered', path: () => '/v1/query', status: 200, filtered: true, check: (b) => expect(b.some((q: any) => q.Name === D)).toBe(false) },
  { name: 'query execute: answers only readable instances', path: () => `/v1/query/${D}/execute`, status: 200, filtered: true, check: (b) => expect(b.Nodes).toEqual([]) },
  { name: 'snapshot save: needs acl:write', path: () => '/v1/snapshot', status: 403, text: deniedText('acl:write') },
  { name: 'snapshot restore: needs acl:write', method: 'PUT', path: () => '/v1/snapshot', body: () => 'x', status: 403, text: deniedText('acl:write') },
  { name: 'snapshot save: management', token: () => MANAGEMENT_TOKEN, path: () => '/v1/snapshot', status: 200 },
  { name: 'snapshot restore: management, a bad file is refused', token: () => MANAGEMENT_TOKEN, method: 'PUT', path: () => '/v1/snapshot', body: () => 'x', status: 400, text: () => /^failed to decompress snapshot/ },
  { name: 'unknown secret', token: () => crypto.randomUUID(), path: () => '/v1/catalog/nodes', status: 403, text: () => 'ACL not found' },
  {
    name: 'anonymous', token: () => '', path: () => '/v1/catalog/services', status: 200, check: (b) => expect(b).toEqual({}),
  },
  { name: 'anonymous write', token: () => '', path: () => `/v1/kv/${W}/anon`, body: () => 'x', status: 403, text: () => `Permission denied: anonymous token lacks permission 'key:write' on "${W}/anon". The anonymous token is used implicitly when a request does not specify a token.` },
  { name: 'status needs no token', token: () => '', path: () => '/v1/status/leader', status: 200 },
];

describe('enforcement, one row per endpoint family', () => {
  it.each(ROWS.map((r) => [r.name, r] as const))('%s', async (_name, row) => {
    const body = row.body?.();
    const res = await as(row.token ? row.token() : t.secret, row.path(), { method: row.method, body, headers: row.headers });
    const text = await res.text();
    expect(res.status, text).toBe(row.status);
    expect(res.headers.get('X-Consul-Default-ACL-Policy')).toBe('deny');
    if (row.text) expect(text).toMatch(row.text() instanceof RegExp ? row.text() : new RegExp(`^${escape(row.text() as string)}$`));
    if (row.check) row.check(JSON.parse(text));
    if (row.filtered !== undefined) expect(res.headers.get('X-Consul-Results-Filtered-By-ACLs')).toBe(row.filtered ? 'true' : null);
  });
});

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('tokens over time', () => {
  it('a blocking query held when its token is deleted answers nothing more', async () => {
    const held = await tokenWithRules(`service_prefix "" { policy = "read" }\nnode_prefix "" { policy = "read" }`);
    const first = await as(held.secret, '/v1/catalog/services');
    const index = first.headers.get('X-Consul-Index');
    const waiting = as(held.secret, `/v1/catalog/services?index=${index}&wait=20s`);
    await ok(as(MANAGEMENT_TOKEN, `/v1/acl/token/${held.accessor}`, { method: 'DELETE' }));
    await ok(as(MANAGEMENT_TOKEN, '/v1/agent/service/register', { body: { Name: uniq('wake') } }));
    const res = await waiting;
    expect([res.status, await res.text()]).toEqual([403, 'ACL not found']);
  });

  it('the docs/acl.md example: a service_prefix "web" token registers web-1 and not db-1', async () => {
    const policy = await ok<{ ID: string }>(as(MANAGEMENT_TOKEN, '/v1/acl/policy', { body: { Name: uniq('web-services'), Rules: 'service_prefix "web" { policy = "write" }' } }));
    const token = await ok<{ SecretID: string; AccessorID: string }>(as(MANAGEMENT_TOKEN, '/v1/acl/token', { body: { Description: 'web deployer', Policies: [{ ID: policy.ID }] } }));
    expect((await as(token.SecretID, '/v1/agent/service/register', { body: { ID: 'web-1', Name: 'web', Port: 8080 } })).status).toBe(200);
    const denied = await as(token.SecretID, '/v1/agent/service/register', { body: { ID: 'db-1', Name: 'db', Port: 5432 } });
    expect([denied.status, await denied.text()]).toEqual([403, `Permission denied: token with AccessorID '${token.AccessorID}' lacks permission 'service:write' on "db"`]);
  });

  it('reads the token from ?token= and Authorization: Bearer too', async () => {
    expect((await api(`/v1/kv/${W}/a?token=${t.secret}`)).status).toBe(200);
    expect((await api(`/v1/kv/${W}/a`, { headers: { Authorization: `Bearer ${t.secret}` } })).status).toBe(200);
    expect((await api(`/v1/kv/${W}/a?index=1`, { headers: { Authorization: `Bearer ${t.secret}` } })).status).toBe(200);
  });
});
