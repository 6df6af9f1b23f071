// Deciding one permission and saying no as Consul does (acl/errors.go): the denial names the token's
// AccessorID (or the anonymous token), the permission and the segment.
import type { GlobalResource, SegmentResource } from './rules';
import type { Identity } from './resolve';
import { ConsulError } from '../http/errors';

export type Need =
  | { resource: SegmentResource; segment: string; access: 'read' | 'list' | 'write' }
  | { resource: GlobalResource; access: 'read' | 'write' }
  | { resource: 'key-write-prefix'; segment: string };

const GLOBAL = new Set(['acl', 'keyring', 'operator', 'mesh', 'peering']);

export function allows(identity: Identity, need: Need): boolean {
  const a = identity.authorizer;
  if (need.resource === 'key-write-prefix') return a.allowsKeyWritePrefix(need.segment);
  if (GLOBAL.has(need.resource)) return a.allowsGlobal(need.resource as GlobalResource, need.access as 'read' | 'write');
  const n = need as Extract<Need, { segment: string; access: string }>;
  return a.allows(n.resource as SegmentResource, n.segment, n.access);
}

export const ACL_NOT_FOUND = 'ACL not found';
/** Consul 1.15+'s answer before bootstrap (acl/errors.go ErrNotBootstrapped); a deployment without its secret stays here. */
export const NOT_BOOTSTRAPPED = 'ACL system must be bootstrapped before making any requests that require authorization: ACL not found';
export const aclNotFound = () => new ConsulError(403, ACL_NOT_FOUND);

export function denial(identity: Identity, need: Need): ConsulError {
  const [resource, access] = need.resource === 'key-write-prefix' ? ['key', 'write'] : [need.resource, need.access];
  const on = 'segment' in need ? ` on ${JSON.stringify(need.segment)}` : '';
  const who = identity.anonymous ? 'anonymous token' : `token with AccessorID '${identity.accessorId}'`;
  const hint = identity.anonymous ? '. The anonymous token is used implicitly when a request does not specify a token.' : '';
  return new ConsulError(403, `Permission denied: ${who} lacks permission '${resource}:${access}'${on}${hint}`);
}

/** Throws Consul's 403 unless `identity` holds every need; no identity means ACLs are off. */
export function enforce(identity: Identity | undefined, needs: Need[]): void {
  if (!identity || identity.management) return;
  for (const need of needs) if (!allows(identity, need)) throw denial(identity, need);
}
