// ACLs for the fast paths in front of the router (worker/heartbeat.ts, worker/kv-read.ts): the same token
// sources, the same cached resolution and the same denials as the full app. A heartbeat costs one cached
// lookup and one RPC: the check's owner is remembered per isolate and confirmed by the object itself.
import type { DatacenterStub, Env } from '../env';
import { chooseDatacenter } from '../federation/choose';
import { ACL_NOT_FOUND, allows, denial, type Need } from './enforce';
import { NOT_BOOTSTRAPPED } from './enforce';
import { aclBootstrapped, resolveSecret, type Identity } from './resolve';

/** `?token=`, then X-Consul-Token, then `Authorization: Bearer` (worker/http/acl.ts requestToken). */
export function fastPathToken(request: Request, params: URLSearchParams): string {
  const query = params.get('token');
  if (query) return query;
  const header = request.headers.get('X-Consul-Token');
  if (header) return header;
  const auth = request.headers.get('Authorization')?.trim().split(/\s+/) ?? [];
  return auth.length >= 2 && auth[0].toLowerCase() === 'bearer' ? auth[1] : '';
}

/** The identity, or the 403 text Consul answers for a secret nobody knows. */
export async function fastPathIdentity(request: Request, env: Env, params: URLSearchParams): Promise<Identity | string> {
  if (!(await aclBootstrapped(env))) return NOT_BOOTSTRAPPED;
  const dc = chooseDatacenter(env, request)!.name;
  return (await resolveSecret(env, fastPathToken(request, params), dc)) ?? ACL_NOT_FOUND;
}

/** The denial text for `need`, or undefined when allowed. */
export function denied(identity: Identity, need: Need): string | undefined {
  return identity.management || allows(identity, need) ? undefined : denial(identity, need).message;
}

const owners = new Map<string, string>();
const OWNERS_MAX = 10_000;

/** The service name owning an agent check ('' for a node check), from memory or the object; null: no such check. */
export async function checkOwner(stub: DatacenterStub, checkId: string): Promise<string | null> {
  const key = checkId.toLowerCase();
  const known = owners.get(key);
  if (known !== undefined) return known;
  const owner = await stub.agentCheckOwner(checkId);
  if (owner !== null) {
    if (owners.size >= OWNERS_MAX) owners.clear();
    owners.set(key, owner);
  }
  return owner;
}

export const forgetCheckOwner = (checkId: string) => owners.delete(checkId.toLowerCase());

export const checkNeed = (owner: string, agentNode: string): Need =>
  owner ? { resource: 'service', segment: owner, access: 'write' } : { resource: 'node', segment: agentNode, access: 'write' };
