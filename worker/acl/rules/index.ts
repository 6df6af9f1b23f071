// Consul's ACL rule language and authorizer: pure, imports nothing from the rest of Beacon but hcl v1 (worker/hcl).
// parseRules = acl.NewPolicyFromSource (hcl.Decode + Validate); authorizerFor = MergePolicies +
// the policy authorizer chained to the default policy. Decisions are documented in README.md here.
import { ParseError } from '../../hcl/ast';
import { PolicyAuthorizer, mergePolicies, type Need, type Tree } from './authorizer';
import { decodeRules, type RawPolicy } from './decode';
import { validate } from './validate';

export { GLOBAL_MANAGEMENT_RULES, nodeIdentityRules, serviceIdentityRules } from './identities';

export type AccessLevel = 'deny' | 'read' | 'list' | 'write';
/** Rule kinds that name a segment (exact `x "name"` or `x_prefix "name"`). */
export type SegmentResource = 'agent' | 'event' | 'key' | 'node' | 'query' | 'service' | 'session' | 'intention';
/** Rule kinds with one level and no segment. */
export type GlobalResource = 'acl' | 'keyring' | 'operator' | 'mesh' | 'peering';
/** A parsed, valid policy: each block's rules and each scalar as written (opaque to callers). */
export type PolicyRules = RawPolicy;
export type RulesParse = { ok: true; rules: PolicyRules } | { ok: false; error: string };

/** Parses a policy's Rules text, HCL v1 or JSON; `error` is Consul's full text (e.g. `Failed to parse ACL rules: …`, `Invalid service policy: …`). */
export function parseRules(text: string): RulesParse {
  let rules: RawPolicy;
  try {
    rules = decodeRules(text);
  } catch (e) {
    if (e instanceof ParseError) return { ok: false, error: `Failed to parse ACL rules: ${e.message}` };
    throw e;
  }
  const invalid = validate(rules);
  return invalid === undefined ? { ok: true, rules } : { ok: false, error: invalid };
}

export interface Authorizer {
  /** Exact rule, else longest prefix, else the default policy. `intention` reads a service rule's `intentions`. */
  allows(resource: SegmentResource, segment: string, need: 'read' | 'list' | 'write'): boolean;
  allowsGlobal(resource: GlobalResource, need: 'read' | 'write'): boolean;
  /** Consul's KeyWritePrefix: write on the longest prefix covering `prefix` and no rule beneath granting less. */
  allowsKeyWritePrefix(prefix: string): boolean;
}

/** What authorizerFor returns beyond Authorizer: Consul's whole-tree checks. */
export interface TreeAuthorizer extends Authorizer {
  /** allAllowed: `need` on every name (ServiceReadAll, NodeReadAll: metrics proxy, imported peers; IntentionWrite("*")). */
  allowsAll(resource: SegmentResource, need: 'read' | 'list' | 'write'): boolean;
  /** anyAllowed: `need` on some name (ServiceWriteAny; IntentionRead("*")). */
  allowsAny(resource: SegmentResource, need: 'read' | 'list' | 'write'): boolean;
  /** KeyList as the rules say, whatever enable_key_list_policy: what /v1/internal/acl/authorize reports. */
  allowsKeyList(key: string): boolean;
}

/** Merges several policies (deny > write > list > read per rule) over a default policy. */
export function authorizerFor(policies: PolicyRules[], defaultPolicy: 'allow' | 'deny', options?: { enableKeyListPolicy?: boolean }): TreeAuthorizer {
  const policy = new PolicyAuthorizer(mergePolicies(policies));
  const fallback = defaultPolicy === 'allow';
  const listChecked = options?.enableKeyListPolicy ?? false;
  const decide = (d: 'allow' | 'deny' | 'default') => (d === 'default' ? fallback : d === 'allow');
  return {
    allows(resource, segment, need) {
      // Without enable_key_list_policy Consul does not check key:list at all (KVS.List only filters by read).
      if (resource === 'key' && need === 'list' && !listChecked) return true;
      if (resource === 'intention' && segment === '*') return decide(need === 'write' ? policy.all('intention', need) : policy.any('intention', need));
      return decide(policy.segment(resource as Tree, segment, need as Need));
    },
    // The default policy never grants `acl`: the static allow-all authorizer is not a management one.
    allowsGlobal: (resource, need) => {
      const d = policy.global(resource, need);
      return d === 'default' ? fallback && resource !== 'acl' : d === 'allow';
    },
    allowsKeyWritePrefix: (prefix) => decide(policy.keyWritePrefix(prefix)),
    allowsAll: (resource, need) => decide(policy.all(resource as Tree, need)),
    allowsAny: (resource, need) => decide(policy.any(resource as Tree, need)),
    allowsKeyList: (key) => decide(policy.segment('key', key, 'list')),
  };
}

const yes = () => true;
/** global-management: everything allowed. */
export const MANAGEMENT: TreeAuthorizer = { allows: yes, allowsGlobal: yes, allowsKeyWritePrefix: yes, allowsAll: yes, allowsAny: yes, allowsKeyList: yes };
