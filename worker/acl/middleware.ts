// The one place ACLs are enforced on /v1/*: resolve the token, hold it to the endpoint's row of
// worker/acl/permissions.ts, filter the answer, and re-check a blocking query's token once it wakes (a
// token revoked while the query was held gets nothing more). With ACLs off it costs one settings read.
import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../env';
import { ConsulError } from '../http/errors';
import { has } from '../http/flags';
import { kvJsonText, quoteFlags } from '../http/kv-json';
import { aclNotFound, ACL_NOT_FOUND, enforce, NOT_BOOTSTRAPPED, type Need } from './enforce';
import { applyAclFilter, Filtering, type FilterKind } from './filters';
import { permissionFor, type NeedContext, type Permission } from './permissions';
import { aclBootstrapped, resolveSecret, type Identity } from './resolve';
import { aclSettings } from './settings';
import { txnDenials } from './txn';

/** Endpoints that need no token at all (Consul's API tables: "none"); token/self resolves its own. */
export const OPEN = ['/v1/acl/replication', '/v1/acl/token/self', '/v1/agent/version', '/v1/catalog/datacenters'];
/** Answered even before the ACL system has a management token. */
export const ALWAYS_OPEN = ['/v1/status/', '/v1/acl/bootstrap'];
/** Endpoints whose handlers check the token themselves (acl:read/acl:write, or any resolvable token). */
export const ACL_SELF_CHECKED = ['/v1/acl/', '/v1/internal/acl/authorize'];

function needContext(c: Context<AppEnv>, rawTail: string): NeedContext {
  let tail = rawTail;
  try {
    tail = decodeURIComponent(rawTail);
  } catch {
    /* the route answers the bad path */
  }
  let body: Promise<Record<string, unknown> | undefined> | undefined;
  return {
    c, tail, agentNode: c.env.AGENT_NODE || 'beacon',
    field: async (name) => {
      body ??= c.req.text().then((t) => { try { return JSON.parse(t || '{}'); } catch { return undefined; } });
      const value = await body;
      return value && typeof value === 'object' ? Object.entries(value).find(([k]) => k.toLowerCase() === name.toLowerCase())?.[1] : undefined;
    },
  };
}

async function needsOf(c: Context<AppEnv>, row: { permission: Permission; rawTail: string } | undefined): Promise<Need[]> {
  return row?.permission.needs ? await row.permission.needs(needContext(c, row.rawTail)) : [];
}

export const aclEnforce = createMiddleware<AppEnv>(async (c, next) => {
  if (!aclSettings(c.env).enabled) return next();
  const path = new URL(c.req.url).pathname;
  if (ALWAYS_OPEN.some((p) => path.startsWith(p))) return next();
  if (!(await aclBootstrapped(c.env))) throw new ConsulError(403, NOT_BOOTSTRAPPED);
  if (OPEN.some((p) => path.startsWith(p))) return next();
  let identity = await resolveSecret(c.env, c.var.token, c.var.dcName);
  if (!identity) throw aclNotFound();
  c.set('acl', identity);
  const row = permissionFor(c.req.method, path);
  enforce(identity, await needsOf(c, row));
  if (row?.permission.filter === 'txn' && !identity.management) {
    const denied = await txnDenials(c, identity);
    if (denied) return void (c.res = denied);
  }
  await next();
  // A blocking query answers with the token as it is now: revoked → nothing more; changed → its new rights.
  const index = c.req.query('index');
  if (index && index !== '0') {
    const fresh = await resolveSecret(c.env, c.var.token, c.var.dcName, true);
    if (!fresh) return void (c.res = new Response(ACL_NOT_FOUND, { status: 403 }));
    try {
      enforce(fresh, await needsOf(c, row));
    } catch (err) {
      return void (c.res = new Response((err as Error).message, { status: 403 }));
    }
    identity = fresh;
  }
  if (row?.permission.filter && !identity.management && c.res.status === 200) await filterAnswer(c, row.permission.filter, identity);
});

/** Rewrites the route's JSON answer without what `identity` may not read. */
async function filterAnswer(c: Context<AppEnv>, kind: FilterKind, identity: Identity): Promise<void> {
  if (!(c.res.headers.get('Content-Type') ?? '').includes('application/json')) return;
  const kv = kind === 'kv' || kind === 'txn';
  const text = await c.res.clone().text();
  const f = new Filtering(kind === 'query-execute' ? await queryIdentity(c, identity) : identity);
  const body = applyAclFilter(kind, f, JSON.parse(kv ? quoteFlags(text) : text));
  if (!f.removed) return;
  const headers = new Headers(c.res.headers);
  headers.delete('Content-Length');
  // Consul marks a filtered answer only for requests that named a token (agent/http.go).
  if (c.var.token) headers.set('X-Consul-Results-Filtered-By-ACLs', 'true');
  c.res = undefined as unknown as Response;
  if (kind === 'kv' && Array.isArray(body) && !body.length && !has(c, 'keys')) {
    c.res = new Response(null, { status: 404, headers });
    return;
  }
  const json = has(c, 'pretty') ? `${JSON.stringify(body, null, 4)}\n` : JSON.stringify(body);
  c.res = new Response(kv ? kvJsonText(json) : json, { status: 200, headers });
}

/** A prepared query executes with the token stored in it, else the caller's (Consul's PreparedQuery.Execute). */
async function queryIdentity(c: Context<AppEnv>, caller: Identity): Promise<Identity> {
  const tail = new URL(c.req.url).pathname.slice('/v1/query/'.length).replace(/\/(execute|explain)$/, '');
  const found = await c.var.dc.preparedQueryResolve(decodeURIComponent(tail));
  const stored = found.ok ? found.value?.Token : '';
  return (stored && (await resolveSecret(c.env, stored, c.var.dcName))) || caller;
}
