// Consul's ACL rule language and authorizer: pure, imports nothing from the rest of Beacon.
// Stub: filled in by the following commits.

export type AccessLevel = 'deny' | 'read' | 'list' | 'write';
/** Rule kinds that name a segment (exact `x "name"` or `x_prefix "name"`). */
export type SegmentResource = 'agent' | 'event' | 'key' | 'node' | 'query' | 'service' | 'session' | 'intention';
/** Rule kinds with one level and no segment. */
export type GlobalResource = 'acl' | 'keyring' | 'operator' | 'mesh' | 'peering';
/** A parsed policy (opaque to callers). */
export interface PolicyRules {
  readonly segments: Partial<Record<SegmentResource, { exact: Record<string, AccessLevel>; prefix: Record<string, AccessLevel> }>>;
  readonly globals: Partial<Record<GlobalResource, AccessLevel>>;
}
export type RulesParse = { ok: true; rules: PolicyRules } | { ok: false; error: string };

export function parseRules(_text: string): RulesParse {
  return { ok: true, rules: { segments: {}, globals: {} } };
}
export function serviceIdentityRules(_serviceName: string): PolicyRules {
  return { segments: {}, globals: {} };
}
export function nodeIdentityRules(_nodeName: string): PolicyRules {
  return { segments: {}, globals: {} };
}
export interface Authorizer {
  /** Exact rule, else longest prefix, else the default policy. `intention` reads a service rule's `intentions`. */
  allows(resource: SegmentResource, segment: string, need: 'read' | 'list' | 'write'): boolean;
  allowsGlobal(resource: GlobalResource, need: 'read' | 'write'): boolean;
  /** Consul's KeyWritePrefix: write on the longest prefix covering `prefix` and no rule beneath granting less. */
  allowsKeyWritePrefix(prefix: string): boolean;
}
export function authorizerFor(_policies: PolicyRules[], defaultPolicy: 'allow' | 'deny', _options?: { enableKeyListPolicy?: boolean }): Authorizer {
  const d = defaultPolicy === 'allow';
  return { allows: () => d, allowsGlobal: () => d, allowsKeyWritePrefix: () => d };
}
/** global-management: everything allowed. */
export const MANAGEMENT: Authorizer = { allows: () => true, allowsGlobal: () => true, allowsKeyWritePrefix: () => true };
/** The rules text of the builtin global-management policy, as Consul stores it. */
export const GLOBAL_MANAGEMENT_RULES = '';
