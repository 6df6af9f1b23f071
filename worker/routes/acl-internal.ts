// POST /v1/internal/acl/authorize (what the web UI asks before showing buttons) and PUT /v1/agent/token/:type
// (Consul's agent/acl_endpoint.go ACLAuthorize, agent_endpoint.go AgentToken).
import { Hono } from 'hono';
import { z } from 'zod';
import { AclAuthorizationRequestSchema } from '../consul/acl';
import { allows, type Need } from '../acl/enforce';
import { aclSettings } from '../acl/settings';
import type { AppEnv } from '../env';
import { aclDisabled } from '../http/acl';
import { decodeBody, readBody } from '../http/body';
import { endpoint } from '../http/endpoint';
import { badRequest, ConsulError } from '../http/errors';
import { empty, json } from '../http/meta';

export const aclInternal = new Hono<AppEnv>();

const SEGMENTED = new Set(['agent', 'event', 'intention', 'key', 'node', 'query', 'service', 'session']);
const GLOBAL = new Set(['acl', 'keyring', 'mesh', 'operator', 'peering']);
const MAX_AUTHORIZATIONS = 64;

endpoint(aclInternal, ['POST'], '/authorize', async (c) => {
  if (!aclSettings(c.env).enabled) throw aclDisabled();
  let requests;
  try {
    requests = decodeBody(await c.req.text(), AclAuthorizationRequestSchema, { emptyAs: [] });
  } catch (err) {
    throw badRequest(`Failed to decode request body: ${(err as Error).message.replace(/^Request decode failed: /, '')}`);
  }
  if (requests.length > MAX_AUTHORIZATIONS) throw badRequest(`Refusing to process more than ${MAX_AUTHORIZATIONS} authorizations at once`);
  const identity = c.var.acl!;
  const answers = requests.map((r) => {
    const resource = r.Resource.toLowerCase();
    const access = r.Access.toLowerCase();
    if (!SEGMENTED.has(resource) && !GLOBAL.has(resource)) throw badRequest(`Invalid ACL resource requested: "${r.Resource}"`);
    const levels = resource === 'key' ? ['read', 'list', 'write', 'write-prefix'] : ['read', 'write'];
    if (!levels.includes(access)) throw badRequest(`Invalid access level for ${resource} resource: ${r.Access}`);
    const segment = r.Segment ?? '';
    const need = (access === 'write-prefix'
      ? { resource: 'key-write-prefix', segment }
      : GLOBAL.has(resource) ? { resource, access } : { resource, segment, access }) as Need;
    return { Resource: r.Resource, ...(r.Segment ? { Segment: r.Segment } : {}), Access: r.Access, Allow: identity.management || allows(identity, need) };
  });
  return json(c, answers);
});

const TOKEN_KINDS = new Set([
  'default', 'acl_token', 'agent', 'acl_agent_token', 'agent_recovery', 'agent_master', 'acl_agent_master_token',
  'replication', 'acl_replication_token', 'config_file_service_registration', 'dns', 'dns_token',
]);
const AgentTokenSchema = z.object({ Token: z.string().nullish() });

/** The agent's own tokens: Beacon has no agent process to hand them to, so they are accepted and not kept. */
export function agentTokenRoute(app: Hono<AppEnv>): void {
  endpoint(app, ['PUT'], '/token/:kind{.*}', async (c) => {
    if (!aclSettings(c.env).enabled) throw aclDisabled();
    const kind = c.req.param('kind');
    if (!TOKEN_KINDS.has(kind)) throw new ConsulError(404, `Token "${kind}" is unknown`);
    await readBody(c, AgentTokenSchema);
    return empty(c);
  });
}
