// Tokens as requests carry them, and every answer's ACL header. Enforcement itself is worker/acl/
// (middleware.ts runs the endpoint table; `authorize()` here is the same check for a route's own needs).
import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import { enforce } from '../acl/enforce';
import { aclSettings, reportedPolicy, type AclVars } from '../acl/settings';
import type { AppEnv } from '../env';
import { badRequest, ConsulError } from './errors';

/** `?token=` wins over X-Consul-Token, which wins over `Authorization: Bearer` (Consul's parseToken). */
export function requestToken(c: Context): string {
  const query = c.req.query('token');
  if (query) return query;
  const header = c.req.header('X-Consul-Token');
  if (header) return header;
  const auth = c.req.header('Authorization')?.trim().split(/\s+/) ?? [];
  return auth.length >= 2 && auth[0].toLowerCase() === 'bearer' ? auth[1] : '';
}

/** Every answer's ACL header: the configured default policy, `allow` while ACLs are off (as Consul reports). */
export const aclHeaders = (env: AclVars) => ({ 'X-Consul-Default-ACL-Policy': reportedPolicy(aclSettings(env)) });

export const acl = createMiddleware<AppEnv>(async (c, next) => {
  for (const [name, value] of Object.entries(aclHeaders(c.env))) c.header(name, value);
  const ns = c.req.query('ns') || c.req.header('X-Consul-Namespace');
  if (ns) {
    const where = c.req.query('ns') ? 'query parameter: "ns"' : 'header: "X-Consul-Namespace"';
    throw badRequest(`Invalid ${where} - Namespaces are a Consul Enterprise feature`);
  }
  const partition = c.req.query('partition');
  if (partition && partition !== 'default') throw badRequest('Invalid query parameter: "partition" - Partitions are a Consul Enterprise feature');
  c.set('token', requestToken(c));
  await next();
});

/** What Consul answers on ACL endpoints (and agent tokens) while ACLs are disabled. */
export const aclDisabled = () => new ConsulError(401, 'ACL support disabled');

export type Access = 'read' | 'write';
export type Resource = 'agent' | 'node' | 'service' | 'operator' | 'key' | 'session' | 'event';

/** A route's own check (the endpoint table already holds most): Consul's 403 unless the token may. */
export function authorize(c: Context<AppEnv>, resource: Resource, name: string, access: Access): void {
  enforce(c.var.acl, [resource === 'operator' ? { resource, access } : { resource, segment: name, access }]);
}
