// Checks Consul makes on ACL writes before they reach the state store (agent/consul/acl_endpoint.go,
// auth/token_writer.go), turned into the store's write shapes. Texts are Consul's; status 500 as its RPC
// errors surface, 400 for decoding.
import type { z } from 'zod';
import { isUuid } from '../consul/common';
import { RESERVED_ID_PREFIX, type AclPolicyBody, type AclRoleBody, type AclTokenBody } from '../consul/acl';
import { formatGoDuration, parseGoDuration } from '../consul/duration';
import type { PolicyWrite, RoleWrite } from '../../durable-objects/acl/policies';
import type { TokenWrite } from '../../durable-objects/acl/tokens';
import { readBody } from '../http/body';
import { badRequest, ConsulError, serverError } from '../http/errors';
import { parseRules } from './rules';

const MAX_TTL_MS = 24 * 3600_000;
const MIN_TTL_MS = 60_000;
const NAME = /^[A-Za-z0-9\-_]{1,128}$/;
const IDENTITY_NAME = /^[a-z0-9]([a-z0-9\-_]*[a-z0-9])?$/;

/** readBody with Consul's "<Kind> decoding failed" wording. */
export async function aclBody<S extends z.ZodType>(c: { req: { text(): Promise<string> } }, schema: S, kind: string): Promise<z.output<S>> {
  try {
    return await readBody(c, schema, { emptyAs: {} });
  } catch (err) {
    if (err instanceof ConsulError && err.status === 400) throw badRequest(err.message.replace(/^Request decode failed/, `${kind} decoding failed`));
    throw err;
  }
}

function checkId(value: string | null | undefined, field: string): string | undefined {
  if (!value) return undefined;
  if (!isUuid(value)) throw serverError(`Invalid Token: ${field} - not a valid UUID`);
  if (value.toLowerCase().startsWith(RESERVED_ID_PREFIX)) throw serverError(`Invalid Token: ${field} - reserved UUID`);
  return value.toLowerCase();
}

function identities(body: { ServiceIdentities?: { ServiceName: string }[] | null }): void {
  for (const s of body.ServiceIdentities ?? []) {
    if (!IDENTITY_NAME.test(s.ServiceName)) {
      throw serverError(`Service identity "${s.ServiceName}" has an invalid name. Only lowercase alphanumeric characters, '-' and '_' are allowed`);
    }
  }
}

/** The expiration a new token asks for, as RFC 3339, range-checked against Consul's defaults (1m..24h). */
function expiration(body: AclTokenBody, now: number): string | undefined {
  const ttlText = body.ExpirationTTL;
  if (ttlText !== undefined && ttlText !== null && ttlText !== '' && ttlText !== 0) {
    if (body.ExpirationTime) throw serverError('Token Expiration TTL and Expiration Time cannot both be set');
    const ms = typeof ttlText === 'number' ? ttlText / 1e6 : parseGoDuration(ttlText);
    if (ms === undefined) throw badRequest(`Token decoding failed: time: invalid duration ${JSON.stringify(ttlText)}`);
    if (ms < 0) throw serverError(`Token Expiration TTL '${formatGoDuration(ms)}' should be > 0`);
    return rangeChecked(ms, now);
  }
  if (!body.ExpirationTime) return undefined;
  const at = Date.parse(body.ExpirationTime);
  if (Number.isNaN(at)) throw badRequest(`Token decoding failed: parsing time ${JSON.stringify(body.ExpirationTime)}`);
  return rangeChecked(at - now, now);
}

function rangeChecked(ms: number, now: number): string {
  if (ms > MAX_TTL_MS) throw serverError(`ExpirationTime cannot be more than ${formatGoDuration(MAX_TTL_MS)} in the future (was ${formatGoDuration(ms)})`);
  if (ms < MIN_TTL_MS) throw serverError(`ExpirationTime cannot be less than ${formatGoDuration(MIN_TTL_MS)} in the future (was ${formatGoDuration(ms)})`);
  return new Date(now + ms).toISOString();
}

export function tokenWrite(body: AclTokenBody, create: boolean, accessorInUrl: string | undefined, datacenter: string): TokenWrite {
  if (body.AuthMethod) throw serverError('AuthMethod field is disallowed outside of login');
  if (accessorInUrl && body.AccessorID && body.AccessorID.toLowerCase() !== accessorInUrl.toLowerCase()) {
    throw badRequest('Token Accessor ID in URL and payload do not match');
  }
  identities(body);
  const given = { secret: !!body.SecretID, local: body.Local !== undefined && body.Local !== null, expiration: !!body.ExpirationTime || !!body.ExpirationTTL };
  return {
    AccessorID: (create ? checkId(body.AccessorID, 'AccessorID') ?? crypto.randomUUID() : accessorInUrl ?? body.AccessorID ?? '').toLowerCase(),
    SecretID: create ? checkId(body.SecretID, 'SecretID') ?? crypto.randomUUID() : body.SecretID ?? '',
    Description: body.Description ?? '',
    Policies: body.Policies, Roles: body.Roles, ServiceIdentities: body.ServiceIdentities, NodeIdentities: body.NodeIdentities,
    Local: !!body.Local,
    ExpirationTime: create ? expiration(body, Date.now()) : body.ExpirationTime ?? undefined,
    datacenter,
    given,
  };
}

export function policyWrite(body: AclPolicyBody, id: string): PolicyWrite {
  if (!body.Name) throw serverError('Invalid Policy: no Name is set');
  if (!NAME.test(body.Name)) throw serverError("Invalid Policy: invalid Name. Only alphanumeric characters, '-' and '_' are allowed");
  const rules = body.Rules ?? '';
  const parsed = parseRules(rules);
  if (!parsed.ok) throw serverError(parsed.error);
  return { ID: id, Name: body.Name, Description: body.Description ?? '', Rules: rules, Datacenters: body.Datacenters ?? undefined };
}

export function roleWrite(body: AclRoleBody, id: string): RoleWrite {
  if (!body.Name) throw serverError('Invalid Role: no Name is set');
  if (!NAME.test(body.Name)) throw serverError("Invalid Role: invalid Name. Only alphanumeric characters, '-' and '_' are allowed");
  identities(body);
  return { ID: id, Name: body.Name, Description: body.Description ?? '', Policies: body.Policies, ServiceIdentities: body.ServiceIdentities, NodeIdentities: body.NodeIdentities };
}
