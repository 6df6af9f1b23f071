// Consul's ACL objects as they travel (agent/structs/acl.go): tokens, policies, roles, their links and
// list stubs, the fixed IDs of the builtin policy and the anonymous token, and the request bodies.
import { z } from 'zod';

/** The builtin policy every bootstrap token carries (structs.ACLPolicyGlobalManagementID). */
export const GLOBAL_MANAGEMENT_ID = '00000000-0000-0000-0000-000000000001';
export const GLOBAL_MANAGEMENT_NAME = 'global-management';
/** The token used when a request carries none (structs.ACLTokenAnonymousID). */
export const ANONYMOUS_ACCESSOR_ID = '00000000-0000-0000-0000-000000000002';
export const ANONYMOUS_SECRET_ID = 'anonymous';
/** IDs Consul reserves for builtin objects: a client may not pick one. */
export const RESERVED_ID_PREFIX = '00000000-0000-0000-0000-0000000000';
export const REDACTED_SECRET = '<hidden>';
/** agentCheckUpdate's refusal when a check's owner is not the service the caller authorized (fast path). */
export const CHECK_OWNER_CHANGED = 'check owner changed';

const LinkSchema = z.object({ ID: z.string().optional(), Name: z.string().optional() });
const ServiceIdentitySchema = z.object({ ServiceName: z.string(), Datacenters: z.array(z.string()).nullish() });
const NodeIdentitySchema = z.object({ NodeName: z.string(), Datacenter: z.string() });

/** A link to a policy or role: by ID or by Name on input, both on output. */
export interface AclLink {
  ID: string;
  Name: string;
}
export type ServiceIdentity = z.infer<typeof ServiceIdentitySchema>;
export type NodeIdentity = z.infer<typeof NodeIdentitySchema>;

export const AclTokenBodySchema = z.object({
  AccessorID: z.string().nullish(),
  SecretID: z.string().nullish(),
  Description: z.string().nullish(),
  Policies: z.array(LinkSchema).nullish(),
  Roles: z.array(LinkSchema).nullish(),
  ServiceIdentities: z.array(ServiceIdentitySchema).nullish(),
  NodeIdentities: z.array(NodeIdentitySchema).nullish(),
  Local: z.boolean().nullish(),
  AuthMethod: z.string().nullish(),
  ExpirationTime: z.string().nullish(),
  ExpirationTTL: z.union([z.string(), z.number()]).nullish(),
});
export type AclTokenBody = z.infer<typeof AclTokenBodySchema>;

export const AclPolicyBodySchema = z.object({
  ID: z.string().nullish(),
  Name: z.string().nullish(),
  Description: z.string().nullish(),
  Rules: z.string().nullish(),
  Datacenters: z.array(z.string()).nullish(),
});
export type AclPolicyBody = z.infer<typeof AclPolicyBodySchema>;

export const AclRoleBodySchema = z.object({
  ID: z.string().nullish(),
  Name: z.string().nullish(),
  Description: z.string().nullish(),
  Policies: z.array(LinkSchema).nullish(),
  ServiceIdentities: z.array(ServiceIdentitySchema).nullish(),
  NodeIdentities: z.array(NodeIdentitySchema).nullish(),
});
export type AclRoleBody = z.infer<typeof AclRoleBodySchema>;

export const AclAuthorizationRequestSchema = z.array(
  z.object({ Resource: z.string(), Segment: z.string().nullish(), Access: z.string() }),
);

/** A token as Consul returns it (structs.ACLToken, CE: no namespace fields). Optional fields are omitempty. */
export interface AclToken {
  AccessorID: string;
  SecretID: string;
  Description: string;
  Policies?: AclLink[];
  Roles?: AclLink[];
  ServiceIdentities?: ServiceIdentity[];
  NodeIdentities?: NodeIdentity[];
  Local: boolean;
  ExpirationTime?: string;
  CreateTime: string;
  Hash: string;
  CreateIndex: number;
  ModifyIndex: number;
}

export interface AclPolicy {
  ID: string;
  Name: string;
  Description: string;
  Rules: string;
  Datacenters?: string[];
  Hash: string;
  CreateIndex: number;
  ModifyIndex: number;
}

export interface AclRole {
  ID: string;
  Name: string;
  Description: string;
  Policies?: AclLink[];
  ServiceIdentities?: ServiceIdentity[];
  NodeIdentities?: NodeIdentity[];
  Hash: string;
  CreateIndex: number;
  ModifyIndex: number;
}

/** What a datacenter's object knows of a secret: the token and every rule that applies to it there. */
export interface ResolvedToken {
  token: AclToken;
  /** Rules texts of its policies and of its roles' policies (already validated when written). */
  rules: string[];
  serviceIdentities: ServiceIdentity[];
  nodeIdentities: NodeIdentity[];
  /** The token grants global-management (its own policies or a role's). */
  management: boolean;
}
