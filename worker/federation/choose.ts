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
  const cf = Object.keys(federation.regions).length ? (request.cf as Record<string, unknown> | undefined) : undefined;
  return federation.byName.get((requested ?? datacenterOfRequest(federation, cf)).toLowerCase());
}

/** The object of a declared datacenter (names compare case-insensitively), or undefined for an unknown one. */
export function datacenterStub(env: Env, name: string): DatacenterStub | undefined {
  const dc = federationOf(env).byName.get(name.toLowerCase());
  if (!dc) return undefined;
  return env.DATACENTER_OBJECT.getByName(dc.name, dc.locationHint ? { locationHint: dc.locationHint } : undefined);
}
