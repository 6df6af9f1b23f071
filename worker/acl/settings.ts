// ACL settings from the worker's vars (wrangler.toml, `npm start` maps BEACON_ACL_* onto them), read once
// per env object. Deployed Beacon ships ACL_ENABLED = "true" and ACL_DEFAULT_POLICY = "deny".
export interface AclVars {
  ACL_ENABLED?: string;
  ACL_DEFAULT_POLICY?: string;
  /** A Workers secret: the initial management token's SecretID (Consul's acl.tokens.initial_management). */
  ACL_INITIAL_MANAGEMENT_TOKEN?: string;
  /** "false" refuses PUT /v1/acl/bootstrap, so a deployment without the secret stays closed. */
  ACL_HTTP_BOOTSTRAP?: string;
  /** How long a worker isolate trusts a resolved token, in ms (default 5000). */
  ACL_TOKEN_TTL_MS?: string;
  /** Consul's acl.enable_key_list_policy. */
  ACL_ENABLE_KEY_LIST_POLICY?: string;
}

export interface AclSettings {
  enabled: boolean;
  defaultPolicy: 'allow' | 'deny';
  initialManagement: string;
  httpBootstrap: boolean;
  tokenTtlMs: number;
  enableKeyListPolicy: boolean;
}

export const DEFAULT_TOKEN_TTL_MS = 5000;
const cache = new WeakMap<object, AclSettings>();

export function aclSettings(env: AclVars): AclSettings {
  let settings = cache.get(env);
  if (!settings) {
    const ttl = Number(env.ACL_TOKEN_TTL_MS);
    settings = {
      enabled: env.ACL_ENABLED === 'true',
      defaultPolicy: env.ACL_DEFAULT_POLICY === 'deny' ? 'deny' : 'allow',
      initialManagement: env.ACL_INITIAL_MANAGEMENT_TOKEN ?? '',
      httpBootstrap: env.ACL_HTTP_BOOTSTRAP !== 'false',
      tokenTtlMs: env.ACL_TOKEN_TTL_MS !== undefined && Number.isFinite(ttl) && ttl >= 0 ? ttl : DEFAULT_TOKEN_TTL_MS,
      enableKeyListPolicy: env.ACL_ENABLE_KEY_LIST_POLICY === 'true',
    };
    cache.set(env, settings);
  }
  return settings;
}

/** The default policy every answer reports: `allow` while ACLs are off, as a Consul agent does. */
export const reportedPolicy = (s: AclSettings) => (s.enabled ? s.defaultPolicy : 'allow');
