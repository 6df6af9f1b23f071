// Tokens and the one place permission is decided. ACLs are not enforced yet: every request is allowed
// and the default policy reported is `allow`, as in a Consul agent with ACLs disabled.
import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
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

/** Every answer's ACL header: ACLs are not enforced, so the default policy is `allow`. */
export const ACL_HEADERS = { 'X-Consul-Default-ACL-Policy': 'allow' } as const;

export const acl = createMiddleware<AppEnv>(async (c, next) => {
  for (const [name, value] of Object.entries(ACL_HEADERS)) c.header(name, value);
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

/** Where ACL rules will be checked. Throw `permissionDenied()` here once policies exist. */
export function authorize(_c: Context<AppEnv>, _resource: Resource, _name: string, _access: Access): void {}
