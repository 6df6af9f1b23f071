// Secret → identity (Consul's ACLResolver): the token and one compiled Authorizer for it. Tokens, policies
// and roles live in the primary datacenter's object and are honoured in every datacenter; a `Local` token
// only in the one that created it. Resolved secrets are cached per isolate (worker/acl/token-cache.ts).
import { ANONYMOUS_ACCESSOR_ID, ANONYMOUS_SECRET_ID, type AclToken, type ResolvedToken } from '../consul/acl';
import type { Env } from '../env';
import { federationOf } from '../federation/config';
import { datacenterStub } from '../federation/choose';
import { authorizerFor, GLOBAL_MANAGEMENT_RULES, MANAGEMENT, nodeIdentityRules, parseRules, serviceIdentityRules, type Authorizer, type PolicyRules } from './rules';
import { aclSettings } from './settings';
import type { Identity } from './identity';
import { TokenCache } from './token-cache';

export type { Identity } from './identity';

const cache = new TokenCache<Identity>();
let initialEnsured = '';

let bootstrapped = false;

/**
 * Whether the ACL system has its first management token. Until then (no initial management secret, no
 * bootstrap) Consul answers every authorized request with 403; once true it stays true in the isolate.
 */
export async function aclBootstrapped(env: Env): Promise<boolean> {
  if (bootstrapped || aclSettings(env).initialManagement) return true;
  return (bootstrapped = await primaryStub(env).aclBootstrapped());
}

/** Forgets cached identities: called after every ACL write this isolate makes. */
export const forgetResolved = () => cache.clear();

export const primaryStub = (env: Env) => datacenterStub(env, federationOf(env).primary)!;

/** The initial management token exists in the primary before it is first resolved (once per isolate). */
export async function ensureInitialManagement(env: Env): Promise<void> {
  const secret = aclSettings(env).initialManagement;
  if (!secret || initialEnsured === secret) return;
  await primaryStub(env).aclWrite({ kind: 'ensure-initial', secret }, GLOBAL_MANAGEMENT_RULES);
  initialEnsured = secret;
}

function compile(env: Env, resolved: ResolvedToken): Identity {
  const settings = aclSettings(env);
  const anonymous = resolved.token.AccessorID === ANONYMOUS_ACCESSOR_ID;
  const base = { accessorId: resolved.token.AccessorID, anonymous, token: resolved.token };
  if (resolved.management) return { ...base, management: true, authorizer: MANAGEMENT };
  const policies: PolicyRules[] = [];
  for (const text of resolved.rules) {
    const parsed = parseRules(text);
    // Rules were validated when written; one that no longer parses grants nothing.
    if (parsed.ok) policies.push(parsed.rules);
  }
  for (const s of resolved.serviceIdentities) policies.push(serviceIdentityRules(s.ServiceName));
  for (const n of resolved.nodeIdentities) policies.push(nodeIdentityRules(n.NodeName));
  const authorizer = authorizerFor(policies, settings.defaultPolicy, { enableKeyListPolicy: settings.enableKeyListPolicy });
  return { ...base, management: false, authorizer };
}

/** The anonymous token before any ACL write created it: no policies, the default policy decides. */
const bareAnonymous = (): ResolvedToken => ({
  token: { AccessorID: ANONYMOUS_ACCESSOR_ID, SecretID: ANONYMOUS_SECRET_ID, Description: 'Anonymous Token', Local: false, CreateTime: '', Hash: '', CreateIndex: 1, ModifyIndex: 1 },
  rules: [], serviceIdentities: [], nodeIdentities: [], management: false,
});

async function lookup(env: Env, secret: string, dc: string): Promise<ResolvedToken | null> {
  const found = await primaryStub(env).aclResolve(secret, dc);
  if (found) return found;
  return secret === ANONYMOUS_SECRET_ID ? bareAnonymous() : null;
}

/**
 * The identity of `secret` ('' = anonymous) in datacenter `dc`, or null for a secret no datacenter knows
 * (Consul's `ACL not found`). `fresh` skips the cache (a blocking query re-checks its token that way).
 */
export async function resolveSecret(env: Env, secret: string, dc: string, fresh = false): Promise<Identity | null> {
  const settings = aclSettings(env);
  const key = `${dc.toLowerCase()}\u0000${secret || ANONYMOUS_SECRET_ID}`;
  const now = Date.now();
  if (!fresh) {
    const hit = cache.get(key, now);
    if (hit) return hit;
  }
  if (settings.initialManagement && secret === settings.initialManagement) await ensureInitialManagement(env);
  const resolved = await lookup(env, secret || ANONYMOUS_SECRET_ID, dc);
  if (!resolved) return null;
  const identity = compile(env, resolved);
  const expires = resolved.token.ExpirationTime ? Date.parse(resolved.token.ExpirationTime) : Infinity;
  cache.set(key, identity, Math.min(now + settings.tokenTtlMs, expires));
  return identity;
}
