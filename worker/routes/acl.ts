// /v1/acl/*: bootstrap, tokens, policies, roles and replication status (Consul's agent/acl_endpoint.go).
// While ACLs are off every one answers what a Consul agent with ACLs disabled does: 401.
import { Hono, type Context } from 'hono';
import { matchedRoutes } from 'hono/route';
import { z } from 'zod';
import {
  AclPolicyBodySchema, AclRoleBodySchema, AclTokenBodySchema, REDACTED_SECRET, type AclToken,
} from '../consul/acl';
import type { AclRead, AclWrite } from '../../durable-objects/acl/acl';
import { enforce } from '../acl/enforce';
import { ensureInitialManagement, forgetResolved, primaryStub, resolveSecret } from '../acl/resolve';
import { GLOBAL_MANAGEMENT_RULES } from '../acl/rules';
import { aclSettings } from '../acl/settings';
import { aclBody, policyWrite, roleWrite, tokenWrite } from '../acl/validate';
import type { AppEnv } from '../env';
import { aclDisabled } from '../http/acl';
import { blockingParams } from '../http/blocking';
import { decodeBody } from '../http/body';
import { endpoint } from '../http/endpoint';
import { badRequest, ConsulError, serverError, unwrap } from '../http/errors';
import { indexedJson, json } from '../http/meta';
import { pathTail } from '../http/path';

export const aclApi = new Hono<AppEnv>();

// While ACLs are off, a method the endpoint lists answers 401; any other still gets endpoint()'s 405
// (Consul's wrap() checks the method before checkACLDisabled runs).
aclApi.use('*', async (c, next) => {
  const method = c.req.method === 'HEAD' ? 'GET' : c.req.method;
  if (!aclSettings(c.env).enabled && method !== 'OPTIONS' && matchedRoutes(c).some((r) => r.method === method)) throw aclDisabled();
  await next();
});

const need = (c: Context<AppEnv>, access: 'read' | 'write') => enforce(c.var.acl, [{ resource: 'acl', access }]);
const mayWrite = (c: Context<AppEnv>) => !c.var.acl || c.var.acl.management || c.var.acl.authorizer.allowsGlobal('acl', 'write');
/** Readers without acl:write see `<hidden>` for every SecretID (Consul's aclfilter redactTokenSecret). */
const redact = (c: Context<AppEnv>, t: AclToken): AclToken => (mayWrite(c) ? t : { ...t, SecretID: REDACTED_SECRET });

async function write(c: Context<AppEnv>, op: AclWrite): Promise<unknown> {
  const value = unwrap(await primaryStub(c.env).aclWrite(op, GLOBAL_MANAGEMENT_RULES));
  forgetResolved();
  return value;
}

async function read(c: Context<AppEnv>, op: AclRead, missing?: string): Promise<Response> {
  const { index, value } = await primaryStub(c.env).aclRead(op, blockingParams(c));
  if (value === null && missing) throw new ConsulError(404, `Requested ${missing} does not exist: ACL not found`, { 'X-Consul-Index': String(index) });
  return indexedJson(c, value, index);
}

const tail = (c: Context<AppEnv>, prefix: string, missing: string) => {
  const id = pathTail(c, prefix);
  if (!id) throw badRequest(missing);
  return id;
};

/**
 * GET /<noun>/name/:name, and GET/PUT/DELETE /<noun>/:id — the same for policies and roles (Consul's
 * aclPolicyRead/Write/Delete and aclRole… differ only in the noun).
 */
function byNameAndId<B extends { ID?: string | null }>(noun: 'policy' | 'role', Noun: 'Policy' | 'Role', parse: (c: Context<AppEnv>) => Promise<B>, set: (body: B, id: string) => AclWrite, remove: (id: string) => AclWrite) {
  endpoint(aclApi, ['GET'], `/${noun}/name/:name{.*}`, async (c) => {
    need(c, 'read');
    return read(c, { kind: noun, name: tail(c, `/v1/acl/${noun}/name/`, `Missing ${noun} Name`) }, noun);
  });
  const idOf = (c: Context<AppEnv>) => tail(c, `/v1/acl/${noun}/`, `Missing ${noun} ID`);
  endpoint(aclApi, `/${noun}/:id{.*}`, {
    GET: async (c) => {
      const id = idOf(c);
      need(c, 'read');
      return read(c, { kind: noun, id }, noun);
    },
    PUT: async (c) => {
      const id = idOf(c);
      need(c, 'write');
      const body = await parse(c);
      if (body.ID && body.ID.toLowerCase() !== id.toLowerCase()) throw badRequest(`${Noun} ID in URL and payload do not match`);
      return json(c, await write(c, set(body, id.toLowerCase())));
    },
    DELETE: async (c) => {
      const id = idOf(c);
      need(c, 'write');
      return json(c, await write(c, remove(id)));
    },
  });
}

const BootstrapSchema = z.object({ BootstrapSecret: z.string().nullish() });

// ---- bootstrap and replication ------------------------------------------------------------------
endpoint(aclApi, ['PUT'], '/bootstrap', async (c) => {
  const settings = aclSettings(c.env);
  await ensureInitialManagement(c.env);
  if (!settings.httpBootstrap) {
    throw new ConsulError(403, 'Permission denied: ACL bootstrap over HTTP is disabled here; set the ACL_INITIAL_MANAGEMENT_TOKEN secret');
  }
  const text = await c.req.text();
  const body = decodeBody(text, BootstrapSchema, { emptyAs: {} });
  const token = (await write(c, { kind: 'bootstrap', secret: body.BootstrapSecret || crypto.randomUUID() })) as AclToken;
  return json(c, { ID: token.SecretID, ...token });
});

endpoint(aclApi, ['GET'], '/replication', (c) =>
  json(c, {
    Enabled: false, Running: false, SourceDatacenter: '', ReplicationType: '', ReplicatedIndex: 0, ReplicatedRoleIndex: 0,
    ReplicatedTokenIndex: 0, LastSuccess: '0001-01-01T00:00:00Z', LastError: '0001-01-01T00:00:00Z', LastErrorMessage: '',
  }));

// ---- tokens -----------------------------------------------------------------------------------------
endpoint(aclApi, ['GET'], '/token/self', async (c) => {
  const identity = await resolveSecret(c.env, c.var.token, c.var.dcName, true);
  if (!identity?.token) throw new ConsulError(404, 'Supplied token does not exist');
  return indexedJson(c, identity.token, identity.token.ModifyIndex);
});

endpoint(aclApi, ['PUT'], '/token', async (c) => {
  need(c, 'write');
  const body = await aclBody(c, AclTokenBodySchema, 'Token');
  return json(c, await write(c, { kind: 'token-set', create: true, token: tokenWrite(body, true, undefined, c.var.dcName) }));
});

endpoint(aclApi, ['GET'], '/tokens', async (c) => {
  need(c, 'read');
  const { index, value } = await primaryStub(c.env).aclRead(
    { kind: 'tokens', dc: c.var.dcName, policy: c.req.query('policy') || undefined, role: c.req.query('role') || undefined }, blockingParams(c));
  return indexedJson(c, (value as AclToken[]).map((t) => redact(c, t)), index);
});

endpoint(aclApi, ['PUT'], '/token/:id{.+}/clone', async (c) => {
  need(c, 'write');
  const id = pathTail(c, '/v1/acl/token/').replace(/\/clone$/, '');
  const { value } = await primaryStub(c.env).aclRead({ kind: 'token', accessor: id, dc: c.var.dcName }, { minIndex: 0, waitMs: 0 });
  const source = value as AclToken | null;
  if (!source) throw serverError(`Cannot find token "${id}"`);
  const body = await aclBody(c, AclTokenBodySchema, 'Token');
  const copy = { ...source, AccessorID: undefined, SecretID: undefined, Description: body.Description ?? source.Description };
  const token = tokenWrite({ ...copy, ExpirationTime: undefined }, true, undefined, c.var.dcName);
  return json(c, await write(c, { kind: 'token-set', create: true, token: { ...token, ExpirationTime: source.ExpirationTime } }));
});

const tokenId = (c: Context<AppEnv>) => tail(c, '/v1/acl/token/', 'Missing token AccessorID');
endpoint(aclApi, '/token/:id{.*}', {
  GET: async (c) => {
    const id = tokenId(c);
    need(c, 'read');
    const res = await read(c, { kind: 'token', accessor: id, dc: c.var.dcName }, 'token');
    return mayWrite(c) ? res : json(c, redact(c, (await res.json()) as AclToken));
  },
  PUT: async (c) => {
    const id = tokenId(c);
    need(c, 'write');
    const body = await aclBody(c, AclTokenBodySchema, 'Token');
    return json(c, await write(c, { kind: 'token-set', create: false, token: tokenWrite(body, false, id, c.var.dcName) }));
  },
  DELETE: async (c) => {
    const id = tokenId(c);
    need(c, 'write');
    if (c.var.acl?.accessorId.toLowerCase() === id.toLowerCase()) throw serverError("Deletion of the request's authorization token is not permitted");
    return json(c, await write(c, { kind: 'token-delete', accessor: id }));
  },
});

// ---- policies ---------------------------------------------------------------------------------------
endpoint(aclApi, ['PUT'], '/policy', async (c) => {
  need(c, 'write');
  const body = await aclBody(c, AclPolicyBodySchema, 'Policy');
  if (body.ID) throw badRequest('Cannot specify the ID when creating a new policy');
  return json(c, await write(c, { kind: 'policy-set', create: true, policy: policyWrite(body, crypto.randomUUID()) }));
});

endpoint(aclApi, ['GET'], '/policies', async (c) => {
  need(c, 'read');
  const { index, value } = await primaryStub(c.env).aclRead({ kind: 'policies' }, blockingParams(c));
  // PolicyListStub: no Rules, and Datacenters always present.
  const stubs = (value as { Rules?: string; Datacenters?: string[] }[]).map(({ Rules, ...p }) => ({ ...p, Datacenters: p.Datacenters ?? null }));
  return indexedJson(c, stubs, index);
});

byNameAndId('policy', 'Policy', (c) => aclBody(c, AclPolicyBodySchema, 'Policy'), (body, id) => ({ kind: 'policy-set', create: false, policy: policyWrite(body, id) }), (id) => ({ kind: 'policy-delete', id }));

// ---- roles ------------------------------------------------------------------------------------------
endpoint(aclApi, ['PUT'], '/role', async (c) => {
  need(c, 'write');
  const body = await aclBody(c, AclRoleBodySchema, 'Role');
  return json(c, await write(c, { kind: 'role-set', create: true, role: roleWrite(body, crypto.randomUUID()) }));
});

endpoint(aclApi, ['GET'], '/roles', async (c) => {
  need(c, 'read');
  const { index, value } = await primaryStub(c.env).aclRead({ kind: 'roles', policy: c.req.query('policy') || undefined }, blockingParams(c));
  return indexedJson(c, value, index);
});

byNameAndId('role', 'Role', (c) => aclBody(c, AclRoleBodySchema, 'Role'), (body, id) => ({ kind: 'role-set', create: false, role: roleWrite(body, id) }), (id) => ({ kind: 'role-delete', id }));
