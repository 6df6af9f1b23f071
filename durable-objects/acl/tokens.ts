// The acl_tokens table and the `acl-tokens` index row (Consul's state/acl.go and auth/token_writer.go):
// create and update with Consul's immutability rules, bootstrap once, lookup by accessor or by secret.
// Secrets are stored as given: Consul returns SecretID on read, so it keeps them readable too (docs/acl.md).
import {
  ANONYMOUS_ACCESSOR_ID, ANONYMOUS_SECRET_ID, GLOBAL_MANAGEMENT_ID, type AclToken, type NodeIdentity, type ServiceIdentity,
} from '../../worker/consul/acl';
import { contentHash } from '../engine/content-hash';
import { TABLE_ACL_TOKENS, type Tx } from '../engine/indexes';
import { ok, refuse, type Outcome } from '../engine/outcome';
import { currentLinks, resolveLinks } from './policies';

type Row = { accessor_id: string; secret_id: string; body: string; expires_at: number | null; create_index: number; modify_index: number };

const one = (sql: SqlStorage, where: string, arg: string) => sql.exec<Row>(`SELECT * FROM acl_tokens WHERE ${where}`, arg).toArray()[0];
export const tokenByAccessor = (sql: SqlStorage, id: string) => one(sql, 'accessor_id = ?', id);
export const tokenBySecret = (sql: SqlStorage, secret: string) => one(sql, 'secret_id = ?', secret);

/** A stored token with its links' current names; links to deleted policies or roles are left out. */
export function toToken(sql: SqlStorage, row: Row): AclToken {
  const { Policies, Roles, LocalDatacenter, AccessorID, SecretID, ...rest } = JSON.parse(row.body) as AclToken & { LocalDatacenter?: string };
  const policies = currentLinks(sql, Policies, 'policy');
  const roles = currentLinks(sql, Roles, 'role');
  return {
    AccessorID: row.accessor_id, SecretID: row.secret_id, ...rest, ...(policies ? { Policies: policies } : {}), ...(roles ? { Roles: roles } : {}),
    CreateIndex: row.create_index, ModifyIndex: row.modify_index,
  } as AclToken;
}

const isExpired = (row: Row, now: number) => row.expires_at !== null && row.expires_at <= now;

/** A `Local` token is honoured, listed and read only in the datacenter that created it. */
export function visibleIn(row: Row, dc: string): boolean {
  const home = (JSON.parse(row.body) as { LocalDatacenter?: string }).LocalDatacenter;
  return !home || home.toLowerCase() === dc.toLowerCase();
}

/** Unexpired tokens, optionally only those linking a policy or a role (Consul's ACLTokenList filters). */
export function listTokens(sql: SqlStorage, now: number, dc: string, filter: { policy?: string; role?: string } = {}): AclToken[] {
  return sql.exec<Row>('SELECT * FROM acl_tokens ORDER BY accessor_id').toArray()
    .filter((row) => !isExpired(row, now) && visibleIn(row, dc))
    .map((row) => toToken(sql, row))
    .filter((t) => (!filter.policy || t.Policies?.some((p) => p.ID.toLowerCase() === filter.policy!.toLowerCase()))
      && (!filter.role || t.Roles?.some((r) => r.ID.toLowerCase() === filter.role!.toLowerCase())));
}

export interface TokenWrite {
  AccessorID: string;
  SecretID: string;
  Description: string;
  Policies?: { ID?: string; Name?: string }[] | null;
  Roles?: { ID?: string; Name?: string }[] | null;
  ServiceIdentities?: ServiceIdentity[] | null;
  NodeIdentities?: NodeIdentity[] | null;
  Local: boolean;
  /** RFC 3339, already range-checked by the worker. */
  ExpirationTime?: string;
  /** The creating datacenter, for a `Local` token. */
  datacenter?: string;
  /** Whether the body named ExpirationTime/TTL or Local (updates may not change them). */
  given: { secret: boolean; local: boolean; expiration: boolean };
}

/** Creates (`create`) or updates a token; `now` stamps CreateTime. */
export function tokenSetTxn(tx: Tx, create: boolean, t: TokenWrite): Outcome<AclToken> {
  const existing = tokenByAccessor(tx.sql, t.AccessorID);
  if (create && existing) return refuse(500, 'Invalid Token: AccessorID is already in use');
  if (!create && !existing) return refuse(500, `Cannot find token "${t.AccessorID}"`);
  let secret = t.SecretID;
  let local = t.Local;
  let expiration = t.ExpirationTime;
  let createTime = new Date(tx.now).toISOString();
  if (existing) {
    const old = toToken(tx.sql, existing);
    if (t.given.secret && t.SecretID !== existing.secret_id) return refuse(500, "Changing a token's SecretID is not permitted");
    if (t.given.local && t.Local !== old.Local) return refuse(500, `Cannot toggle local mode of ${existing.accessor_id}`);
    if (t.given.expiration && t.ExpirationTime !== old.ExpirationTime) return refuse(500, `Cannot change expiration time of ${existing.accessor_id}`);
    [secret, local, expiration, createTime] = [existing.secret_id, old.Local, old.ExpirationTime, old.CreateTime];
  } else if (tokenBySecret(tx.sql, secret)) {
    return refuse(500, 'Invalid Token: SecretID is already in use');
  }
  const policies = resolveLinks(tx.sql, t.Policies, 'policy');
  if (!policies.ok) return policies;
  const roles = resolveLinks(tx.sql, t.Roles, 'role');
  if (!roles.ok) return roles;
  const body = {
    Description: t.Description,
    ...(policies.value ? { Policies: policies.value } : {}),
    ...(roles.value ? { Roles: roles.value } : {}),
    ...(t.ServiceIdentities?.length ? { ServiceIdentities: t.ServiceIdentities } : {}),
    ...(t.NodeIdentities?.length ? { NodeIdentities: t.NodeIdentities } : {}),
    Local: local,
    ...(expiration ? { ExpirationTime: expiration } : {}),
    CreateTime: createTime,
  };
  const home = existing ? (JSON.parse(existing.body) as { LocalDatacenter?: string }).LocalDatacenter : local ? t.datacenter : undefined;
  const stored = { ...body, Hash: contentHash(body), ...(home ? { LocalDatacenter: home } : {}) };
  tx.sql.exec(
    `INSERT INTO acl_tokens (accessor_id, secret_id, body, expires_at, create_index, modify_index) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (accessor_id) DO UPDATE SET body = excluded.body, modify_index = excluded.modify_index`,
    existing?.accessor_id ?? t.AccessorID, secret, JSON.stringify(stored), expiration ? Date.parse(expiration) : null, existing?.create_index ?? tx.index, tx.index,
  );
  tx.touched.add(TABLE_ACL_TOKENS);
  return ok(toToken(tx.sql, tokenByAccessor(tx.sql, t.AccessorID)!));
}

export function tokenDeleteTxn(tx: Tx, accessor: string): Outcome<true> {
  if (accessor.toLowerCase() === ANONYMOUS_ACCESSOR_ID) return refuse(500, 'Delete operation not permitted on the anonymous token');
  if (tx.sql.exec('DELETE FROM acl_tokens WHERE accessor_id = ? RETURNING accessor_id', accessor).toArray().length) tx.touched.add(TABLE_ACL_TOKENS);
  return ok(true);
}

const BOOTSTRAP_ROW = 'bootstrap_index';

export function bootstrapIndex(sql: SqlStorage): number | undefined {
  return sql.exec<{ value: number }>('SELECT value FROM acl_state WHERE name = ?', BOOTSTRAP_ROW).toArray()[0]?.value;
}

/** Consul's ACL.BootstrapTokens: one management token, once; later calls are refused with the reset index. */
export function bootstrapTxn(tx: Tx, secret: string, description = 'Bootstrap Token (Global Management)'): Outcome<AclToken> {
  const done = bootstrapIndex(tx.sql);
  if (done !== undefined) return refuse(403, `Permission denied: ACL bootstrap no longer allowed (reset index: ${done})`);
  const created = tokenSetTxn(tx, true, {
    AccessorID: crypto.randomUUID(), SecretID: secret, Description: description, Policies: [{ ID: GLOBAL_MANAGEMENT_ID }], Local: false,
    given: { secret: true, local: false, expiration: false },
  });
  if (!created.ok) return created;
  tx.sql.exec('INSERT INTO acl_state (name, value) VALUES (?, ?)', BOOTSTRAP_ROW, tx.index);
  return created;
}

/** The anonymous token (structs.ACLTokenAnonymousID), created with the ACL tables' first write. */
export function ensureAnonymous(tx: Tx): void {
  if (tokenByAccessor(tx.sql, ANONYMOUS_ACCESSOR_ID)) return;
  tokenSetTxn(tx, true, {
    AccessorID: ANONYMOUS_ACCESSOR_ID, SecretID: ANONYMOUS_SECRET_ID, Description: 'Anonymous Token', Local: false,
    given: { secret: true, local: false, expiration: false },
  });
}

export const tokenExpired = isExpired;
export type TokenRow = Row;
