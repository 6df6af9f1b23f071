// The one place a request's datacenter is chosen, for every path: the app's middleware
// (worker/http/datacenter.ts), the fast paths (worker/plain-request.ts, worker/acl/fast-path.ts), ACL
// resolution and DNS. `requested` (`?dc=`, a DNS name's datacenter label) when given, else the datacenter
// the request's region maps to (worker/federation/distance.ts). Each datacenter is its own Datacenter
// object, placed by its location hint.
import type { DatacenterStub, Env } from '../env';
import { federationOf, type DatacenterInfo } from './config';
import { datacenterOfRequest } from './distance';

/** The declared datacenter this request is for, or undefined when `requested` names none. */
export function chooseDatacenter(env: Env, request: Request, requested?: string): DatacenterInfo | undefined {
  const federation = federationOf(env);
  // request.cf is built on access: read it only when some region maps to a datacenter.
  const name = requested ?? (federation.mapsRegions ? datacenterOfRequest(federation, request.cf as Record<string, unknown> | undefined) : federation.fallback);
  return federation.byName.get(name.toLowerCase());
}

// A stub belongs to the request that made it, but an ID is plain data: hashing the name (SHA-256) is done
// once per datacenter and namespace instead of on every request.
type Namespace = Pick<DurableObjectNamespace, 'idFromName'>;
const ids = new WeakMap<Namespace, Map<string, DurableObjectId>>();

export function objectId(namespace: Namespace, name: string): DurableObjectId {
  let byName = ids.get(namespace);
  if (!byName) ids.set(namespace, (byName = new Map()));
  let id = byName.get(name);
  if (!id) byName.set(name, (id = namespace.idFromName(name)));
  return id;
}

/** The object of a declared datacenter (names compare case-insensitively), or undefined for an unknown one. */
export function datacenterStub(env: Env, name: string): DatacenterStub | undefined {
  const dc = federationOf(env).byName.get(name.toLowerCase());
  if (!dc) return undefined;
  const namespace = env.DATACENTER_OBJECT;
  return namespace.get(objectId(namespace, dc.name), dc.locationHint ? { locationHint: dc.locationHint } : undefined);
}
