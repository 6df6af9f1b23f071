// The Datacenter object's ACL part: what each ACL read watches, the one write dispatch, and resolving a
// secret to the token and the rules that apply to it in a datacenter (Consul's ACLResolver, server side).
import { GLOBAL_MANAGEMENT_ID, type AclToken, type ResolvedToken } from '../../worker/consul/acl';
import { TABLE_ACL_POLICIES, TABLE_ACL_ROLES, TABLE_ACL_TOKENS, type Indexes, type Tx } from '../engine/indexes';
import { ok, type Outcome } from '../engine/outcome';
import type { Query } from '../engine/reads';
import * as p from './policies';
import * as t from './tokens';

export type AclWrite =
  | { kind: 'bootstrap'; secret: string }
  | { kind: 'ensure-initial'; secret: string }
  | { kind: 'token-set'; create: boolean; token: t.TokenWrite }
  | { kind: 'token-delete'; accessor: string }
  | { kind: 'policy-set'; create: boolean; policy: p.PolicyWrite }
  | { kind: 'policy-delete'; id: string }
  | { kind: 'role-set'; create: boolean; role: p.RoleWrite }
  | { kind: 'role-delete'; id: string };

export type AclRead =
  | { kind: 'token'; accessor: string; dc: string }
  | { kind: 'tokens'; dc: string; policy?: string; role?: string }
  | { kind: 'policy'; id?: string; name?: string }
  | { kind: 'policies' }
  | { kind: 'role'; id?: string; name?: string }
  | { kind: 'roles'; policy?: string };

/** Applies one ACL write; the builtin policy and the anonymous token come with the first. */
export function aclWriteTxn(tx: Tx, op: AclWrite, managementRules: string): Outcome<unknown> {
  p.ensureGlobalManagement(tx, managementRules);
  t.ensureAnonymous(tx);
  switch (op.kind) {
    case 'bootstrap':
      return t.bootstrapTxn(tx, op.secret);
    case 'ensure-initial':
      // Consul's leader creates the configured initial management token and counts it as the bootstrap.
      return t.tokenBySecret(tx.sql, op.secret) ? ok(null) : t.bootstrapTxn(tx, op.secret, 'Initial Management Token');
    case 'token-set':
      return t.tokenSetTxn(tx, op.create, op.token);
    case 'token-delete':
      return t.tokenDeleteTxn(tx, op.accessor);
    case 'policy-set':
      return p.policySetTxn(tx, op.create, op.policy);
    case 'policy-delete':
      return p.policyDeleteTxn(tx, op.id);
    case 'role-set':
      return p.roleSetTxn(tx, op.create, op.role);
    case 'role-delete':
      return p.roleDeleteTxn(tx, op.id);
  }
}

const ROWS: Record<AclRead['kind'], string[]> = {
  token: [TABLE_ACL_TOKENS], tokens: [TABLE_ACL_TOKENS], policy: [TABLE_ACL_POLICIES], policies: [TABLE_ACL_POLICIES],
  role: [TABLE_ACL_ROLES], roles: [TABLE_ACL_ROLES],
};

/** One ACL read as a blocking query on its table's index row. */
export function aclQuery(sql: SqlStorage, indexes: Indexes, op: AclRead, now: () => number): Query<unknown> {
  const rows = ROWS[op.kind];
  const value = (): unknown => {
    switch (op.kind) {
      case 'token': {
        const row = t.tokenByAccessor(sql, op.accessor);
        return row && !t.tokenExpired(row, now()) && t.visibleIn(row, op.dc) ? t.toToken(sql, row) : null;
      }
      case 'tokens':
        return t.listTokens(sql, now(), op.dc, op);
      case 'policy': {
        const row = op.id ? p.policyById(sql, op.id) : p.policyByName(sql, op.name ?? '');
        return row ? p.toPolicy(row) : null;
      }
      case 'policies':
        return p.listPolicies(sql);
      case 'role': {
        const row = op.id ? p.roleById(sql, op.id) : p.roleByName(sql, op.name ?? '');
        return row ? p.toRole(sql, row) : null;
      }
      case 'roles':
        return p.listRoles(sql).filter((r) => !op.policy || r.Policies?.some((l) => l.ID.toLowerCase() === op.policy!.toLowerCase()));
    }
  };
  return { key: `acl:${JSON.stringify(op)}`, rows, read: () => ({ index: Math.max(1, indexes.max(...rows)), value: value() }) };
}

/** The unexpired token holding `secret` that is honoured in `dc`, or null. */
export function tokenOfSecret(sql: SqlStorage, secret: string, now: number, dc: string): AclToken | null {
  const row = t.tokenBySecret(sql, secret);
  return row && !t.tokenExpired(row, now) && t.visibleIn(row, dc) ? t.toToken(sql, row) : null;
}

/** Everything that applies to `token` in datacenter `dc`, from this object's policies and roles. */
export function expandToken(sql: SqlStorage, token: AclToken, dc: string): ResolvedToken {
  const policyIds = new Set((token.Policies ?? []).map((l) => l.ID));
  const serviceIdentities = [...(token.ServiceIdentities ?? [])];
  const nodeIdentities = [...(token.NodeIdentities ?? [])];
  for (const link of token.Roles ?? []) {
    const row = p.roleById(sql, link.ID);
    if (!row) continue;
    const role = p.toRole(sql, row);
    for (const l of role.Policies ?? []) policyIds.add(l.ID);
    serviceIdentities.push(...(role.ServiceIdentities ?? []));
    nodeIdentities.push(...(role.NodeIdentities ?? []));
  }
  const rules: string[] = [];
  for (const id of policyIds) {
    const row = p.policyById(sql, id);
    if (!row) continue;
    const policy = p.toPolicy(row);
    // A policy limited to some datacenters applies only there (structs.ACLPolicy.Datacenters).
    if (policy.Datacenters?.length && !policy.Datacenters.some((d) => d.toLowerCase() === dc.toLowerCase())) continue;
    rules.push(policy.Rules);
  }
  const here = (dcs: string[] | null | undefined) => !dcs?.length || dcs.some((d) => d.toLowerCase() === dc.toLowerCase());
  return {
    token,
    rules,
    serviceIdentities: serviceIdentities.filter((s) => here(s.Datacenters)),
    nodeIdentities: nodeIdentities.filter((n) => n.Datacenter.toLowerCase() === dc.toLowerCase()),
    management: policyIds.has(GLOBAL_MANAGEMENT_ID),
  };
}
