// The builtin policy texts and identity policies of agent/structs (acl.go, acl_ce.go): Consul
// synthesises the identities' policies from templates; here they are built directly, so a name can
// never be read as rules syntax.
import { BLOCKS, SCALARS, type RawPolicy, type RawRule } from './decode';

/** The rules text of the builtin global-management policy, as Consul stores it (structs.ACLPolicyGlobalManagementRules). */
export const GLOBAL_MANAGEMENT_RULES = `
acl = "write"
agent_prefix "" {
\tpolicy = "write"
}
event_prefix "" {
\tpolicy = "write"
}
key_prefix "" {
\tpolicy = "write"
}
keyring = "write"
node_prefix "" {
\tpolicy = "write"
}
operator = "write"
mesh = "write"
peering = "write"
query_prefix "" {
\tpolicy = "write"
}
service_prefix "" {
\tpolicy = "write"
\tintentions = "write"
}
session_prefix "" {
\tpolicy = "write"
}`;

function policyOf(blocks: Partial<RawPolicy['blocks']>): RawPolicy {
  const all = Object.fromEntries(BLOCKS.map((b) => [b, blocks[b] ?? []])) as RawPolicy['blocks'];
  return { blocks: all, scalars: Object.fromEntries(SCALARS.map((s) => [s, ''])) as RawPolicy['scalars'] };
}

const rule = (name: string, policy: string): RawRule => ({ name, policy, intentions: '' });

/** ACLServiceIdentity.SyntheticPolicy: write on the service and its sidecar proxy, read on every service and node. */
export function serviceIdentityRules(serviceName: string): RawPolicy {
  return policyOf({
    service: [rule(serviceName, 'write'), rule(`${serviceName}-sidecar-proxy`, 'write')],
    service_prefix: [rule('', 'read')],
    node_prefix: [rule('', 'read')],
  });
}

/** ACLNodeIdentity.SyntheticPolicy: write on the node, read on every service. */
export function nodeIdentityRules(nodeName: string): RawPolicy {
  return policyOf({ node: [rule(nodeName, 'write')], service_prefix: [rule('', 'read')] });
}
