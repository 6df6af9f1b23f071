// The acl_policies and acl_roles tables and their index rows (Consul's state/acl.go): names unique
// case-insensitively, links by ID or Name resolved to IDs, the builtin global-management policy locked.
import { GLOBAL_MANAGEMENT_ID, GLOBAL_MANAGEMENT_NAME, type AclLink, type AclPolicy, type AclRole } from '../../worker/consul/acl';
import { contentHash } from '../engine/content-hash';
import { TABLE_ACL_POLICIES, TABLE_ACL_ROLES, type Tx } from '../engine/indexes';
import { ok, refuse, type Outcome } from '../engine/outcome';

type Row = { id: string; name: string; body: string; create_index: number; modify_index: number };
type Table = 'acl_policies' | 'acl_roles';

const rowsOf = (sql: SqlStorage, table: Table, where = '', ...args: string[]) =>
  sql.exec<Row>(`SELECT * FROM ${table} ${where} ORDER BY id`, ...args).toArray();

export const policyById = (sql: SqlStorage, id: string) => rowsOf(sql, 'acl_policies', 'WHERE id = ?', id)[0];
export const policyByName = (sql: SqlStorage, name: string) => rowsOf(sql, 'acl_policies', 'WHERE name = ?', name)[0];
export const roleById = (sql: SqlStorage, id: string) => rowsOf(sql, 'acl_roles', 'WHERE id = ?', id)[0];
export const roleByName = (sql: SqlStorage, name: string) => rowsOf(sql, 'acl_roles', 'WHERE name = ?', name)[0];

const fromRow = <T>(row: Row): T => ({ ID: row.id, Name: row.name, ...JSON.parse(row.body), CreateIndex: row.create_index, ModifyIndex: row.modify_index });
export const toPolicy = (row: Row): AclPolicy => fromRow<AclPolicy>(row);
export function toRole(sql: SqlStorage, row: Row): AclRole {
  const { Policies, ...role } = fromRow<AclRole>(row);
  const current = currentLinks(sql, Policies, 'policy');
  return current ? { ...role, Policies: current } : role;
}

export const listPolicies = (sql: SqlStorage) => rowsOf(sql, 'acl_policies').map(toPolicy);
export const listRoles = (sql: SqlStorage) => rowsOf(sql, 'acl_roles').map((row) => toRole(sql, row));

/** Current names for stored policy links; links to deleted policies are dropped (Consul's fixupTokenPolicyLinks). */
export function currentLinks(sql: SqlStorage, links: AclLink[] | undefined, kind: 'policy' | 'role'): AclLink[] | undefined {
  if (!links?.length) return undefined;
  const find = kind === 'policy' ? policyById : roleById;
  const current = links.map((l) => find(sql, l.ID)).filter((r): r is Row => !!r).map((r) => ({ ID: r.id, Name: r.name }));
  return current.length ? current : undefined;
}

/** Links given by ID or Name, as stored: IDs, de-duplicated, each one existing. */
export function resolveLinks(sql: SqlStorage, links: { ID?: string; Name?: string }[] | null | undefined, kind: 'policy' | 'role'): Outcome<AclLink[] | undefined> {
  const [byId, byName] = kind === 'policy' ? [policyById, policyByName] : [roleById, roleByName];
  const out: AclLink[] = [];
  for (const link of links ?? []) {
    const row = link.ID ? byId(sql, link.ID) : link.Name ? byName(sql, link.Name) : undefined;
    if (!row) {
      const which = link.ID ? `ID "${link.ID}"` : `name "${link.Name ?? ''}"`;
      return refuse(500, `No such ACL ${kind} with ${which}`);
    }
    if (!out.some((l) => l.ID === row.id)) out.push({ ID: row.id, Name: row.name });
  }
  return ok(out.length ? out : undefined);
}

/** The builtin policy (structs.ACLPolicyGlobalManagement): created with the ACL tables' first write. */
export function ensureGlobalManagement(tx: Tx, rules: string): void {
  if (policyById(tx.sql, GLOBAL_MANAGEMENT_ID)) return;
  const body = { Description: 'Builtin Policy that grants unlimited access', Rules: rules };
  insert(tx, 'acl_policies', GLOBAL_MANAGEMENT_ID, GLOBAL_MANAGEMENT_NAME, { ...body, Hash: contentHash(body) });
}

function insert(tx: Tx, table: Table, id: string, name: string, body: object, createIndex = tx.index): void {
  tx.sql.exec(
    `INSERT INTO ${table} (id, name, body, create_index, modify_index) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET name = excluded.name, body = excluded.body, modify_index = excluded.modify_index`,
    id, name, JSON.stringify(body), createIndex, tx.index,
  );
  tx.touched.add(table === 'acl_policies' ? TABLE_ACL_POLICIES : TABLE_ACL_ROLES);
}

export interface PolicyWrite {
  ID: string;
  Name: string;
  Description: string;
  Rules: string;
  Datacenters?: string[];
}

/** Creates (`create`) or replaces a policy; the worker has validated its name and rules. */
export function policySetTxn(tx: Tx, create: boolean, p: PolicyWrite): Outcome<AclPolicy> {
  const existing = policyById(tx.sql, p.ID);
  if (!create && !existing) return refuse(500, `cannot find policy ${p.ID}`);
  const named = policyByName(tx.sql, p.Name);
  if (named && named.id.toLowerCase() !== p.ID.toLowerCase()) return refuse(500, `Invalid Policy: A Policy with Name "${p.Name}" already exists`);
  if (existing && existing.id === GLOBAL_MANAGEMENT_ID) {
    const old = toPolicy(existing);
    if (old.Rules !== p.Rules) return refuse(500, 'Changing the Rules for the builtin global-management policy is not permitted');
    if ((p.Datacenters ?? []).length) return refuse(500, 'Changing the Datacenters of the builtin global-management policy is not permitted');
  }
  const body = { Description: p.Description, Rules: p.Rules, ...(p.Datacenters?.length ? { Datacenters: p.Datacenters } : {}) };
  const stored = { ...body, Hash: contentHash({ Name: p.Name, ...body }) };
  const unchanged = existing && existing.name === p.Name && existing.body === JSON.stringify(stored);
  if (!unchanged) insert(tx, 'acl_policies', existing?.id ?? p.ID, p.Name, stored, existing?.create_index);
  return ok(toPolicy(policyById(tx.sql, p.ID)!));
}

export interface RoleWrite {
  ID: string;
  Name: string;
  Description: string;
  Policies?: { ID?: string; Name?: string }[] | null;
  ServiceIdentities?: AclRole['ServiceIdentities'] | null;
  NodeIdentities?: AclRole['NodeIdentities'] | null;
}

export function roleSetTxn(tx: Tx, create: boolean, r: RoleWrite): Outcome<AclRole> {
  const existing = roleById(tx.sql, r.ID);
  if (!create && !existing) return refuse(500, `cannot find role ${r.ID}`);
  const named = roleByName(tx.sql, r.Name);
  if (named && named.id.toLowerCase() !== r.ID.toLowerCase()) return refuse(500, `Invalid Role: A Role with Name "${r.Name}" already exists`);
  const policies = resolveLinks(tx.sql, r.Policies, 'policy');
  if (!policies.ok) return policies;
  const body = {
    Description: r.Description,
    ...(policies.value ? { Policies: policies.value } : {}),
    ...(r.ServiceIdentities?.length ? { ServiceIdentities: r.ServiceIdentities } : {}),
    ...(r.NodeIdentities?.length ? { NodeIdentities: r.NodeIdentities } : {}),
  };
  insert(tx, 'acl_roles', existing?.id ?? r.ID, r.Name, { ...body, Hash: contentHash({ Name: r.Name, ...body }) }, existing?.create_index);
  return ok(toRole(tx.sql, roleById(tx.sql, r.ID)!));
}

export function policyDeleteTxn(tx: Tx, id: string): Outcome<true> {
  if (id.toLowerCase() === GLOBAL_MANAGEMENT_ID) return refuse(500, 'Delete operation not permitted on the builtin global-management policy');
  if (tx.sql.exec('DELETE FROM acl_policies WHERE id = ? RETURNING id', id).toArray().length) tx.touched.add(TABLE_ACL_POLICIES);
  return ok(true);
}

export function roleDeleteTxn(tx: Tx, id: string): Outcome<true> {
  if (tx.sql.exec('DELETE FROM acl_roles WHERE id = ? RETURNING id', id).toArray().length) tx.touched.add(TABLE_ACL_ROLES);
  return ok(true);
}
