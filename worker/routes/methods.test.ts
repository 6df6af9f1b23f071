// Every method against every declared route (issue 9 item 1): only the methods a route lists may change
// state; HEAD answers as GET without a body, OPTIONS with `Allow`, anything else 405 with `Allow`.
import { env, runInDurableObject } from 'cloudflare:test';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { app } from '../app';
import { api, put } from '../test-support';

const METHODS = ['GET', 'HEAD', 'PUT', 'POST', 'DELETE', 'PATCH', 'OPTIONS', 'PURGE'];
const QUERIES = ['', '?recurse', '?cas=0', '?dc=dc1', '?replace-existing-checks', '?enable=true&reason=x'];
/** A body several write endpoints would accept, so a misrouted method would have something to write. */
const BODY = JSON.stringify({ ID: 'pm-svc', Name: 'pm', Node: 'beacon', Address: '10.9.9.9', Service: { Service: 'pm' }, Check: { TTL: '1h' } });

/** Routes declared through endpoint() (they have an OPTIONS route), with the methods each lists. */
function declaredRoutes(): { path: string; methods: string[] }[] {
  const byPath = new Map<string, Set<string>>();
  for (const r of app.routes) byPath.set(r.path, (byPath.get(r.path) ?? new Set()).add(r.method));
  return [...byPath].filter(([, m]) => m.has('OPTIONS')).map(([path, m]) => ({ path, methods: [...m].filter((x) => x !== 'OPTIONS' && x !== 'ALL') }));
}

const patternOf = (path: string) =>
  new RegExp(`^${path.replace(/:\w+\{([^}]*)\}/g, '(?:$1)').replace(/:\w+/g, '[^/]+')}$`);

/**
 * Another declared route also matches this route's paths and lists the method (GET for HEAD), as
 * `/v1/acl/token/:id{.*}` takes `GET …/x/clone`: that request is listed there, so not a case here.
 */
function shadowed(route: { path: string }, method: string, routes: { path: string; methods: string[] }[]): boolean {
  const path = concrete(route.path, { session: 'x', query: 'x' });
  const wanted = method === 'HEAD' ? 'GET' : method;
  return routes.some((other) => other !== route && other.methods.includes(wanted) && patternOf(other.path).test(path));
}

/** The route's path with each parameter replaced by something that exists, so a write would act. */
function concrete(path: string, ids: { session: string; query: string }): string {
  const value = (name: string) => {
    if (name === 'id' && path.startsWith('/v1/agent/check/')) return 'service:pm-svc';
    if (name === 'id' && path.startsWith('/v1/session/')) return ids.session;
    if (name === 'id' && path.startsWith('/v1/query/')) return ids.query;
    return ({ id: 'pm-svc', key: 'pm/k', name: 'pm', service: 'pm', node: 'beacon', state: 'any', kind: 'default', address: '127.0.0.1' } as Record<string, string>)[name] ?? 'x';
  };
  return path.replace(/:(\w+)(\{[^}]*\})?/g, (_, name: string) => value(name));
}

/** Every row of every table of dc1's object (values as bytes), to tell whether a request changed anything. */
const digest = () =>
  runInDurableObject(env.DATACENTER_OBJECT.getByName('dc1'), (_, state: DurableObjectState) => {
    const sql = state.storage.sql;
    const tables = sql.exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_cf\\_%' ESCAPE '\\' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name").toArray();
    const rows = tables.map(({ name }) => [name, sql.exec(`SELECT * FROM "${name}"`).toArray()]);
    return JSON.stringify(rows, (_, v) => (v instanceof ArrayBuffer ? [...new Uint8Array(v)].join(',') : v));
  });

describe('methods a route does not list', () => {
  it('change nothing, whatever the route, method and parameters', async () => {
    expect((await put('/v1/agent/service/register', { ID: 'pm-svc', Name: 'pm', Check: { TTL: '1h' } })).status).toBe(200);
    const session = ((await (await put('/v1/session/create', {})).json()) as { ID: string }).ID;
    const created = await api('/v1/query', { method: 'POST', body: JSON.stringify({ Name: 'pm-q', Service: { Service: 'pm' } }) });
    const ids = { session, query: ((await created.json()) as { ID: string }).ID };
    // The digest sees a listed write, so the property below can fail.
    const before = await digest();
    expect((await put('/v1/kv/pm/k', 'v')).status).toBe(200);
    expect(await digest()).not.toBe(before);

    const routes = declaredRoutes();
    expect(routes.length).toBeGreaterThan(50);
    const unlisted = fc.record({ route: fc.constantFrom(...routes), method: fc.constantFrom(...METHODS), query: fc.constantFrom(...QUERIES) })
      .filter(({ route, method }) => (method === 'HEAD' || !route.methods.includes(method)) && !shadowed(route, method, routes));
    await fc.assert(
      fc.asyncProperty(unlisted, async ({ route, method, query }) => {
        const path = concrete(route.path, ids) + query;
        const state = await digest();
        const res = await api(path, { method, body: method === 'GET' || method === 'HEAD' ? undefined : BODY });
        const body = await res.text();
        expect(await digest(), `${method} ${path} changed state`).toBe(state);
        const allow = ['OPTIONS', ...route.methods].join(',');
        if (method === 'HEAD' && route.methods.includes('GET')) {
          expect([res.status, body], `${method} ${path}`).toEqual([(await api(path)).status, '']);
        } else if (method === 'OPTIONS') {
          expect([res.status, res.headers.get('Allow'), body], `${method} ${path}`).toEqual([200, allow, '']);
        } else {
          expect([res.status, res.headers.get('Allow'), body], `${method} ${path}`).toEqual([405, allow, method === 'HEAD' ? '' : `method ${method} not allowed`]);
        }
      }),
      { seed: 9, numRuns: 150 },
    );
  });
});
