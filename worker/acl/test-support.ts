// Helpers for the ACL test project (vitest "workerd-acl": ACLs on, default deny, a known management token).
import { ACL_TEST_MANAGEMENT_TOKEN } from './test-token';
import { api } from '../test-support';

export const MANAGEMENT_TOKEN = ACL_TEST_MANAGEMENT_TOKEN;

/** A request carrying `token` in X-Consul-Token ('' sends none). */
export function as(token: string, path: string, init: { method?: string; body?: unknown; headers?: Record<string, string> } = {}) {
  const body = init.body === undefined ? undefined : typeof init.body === 'string' ? init.body : JSON.stringify(init.body);
  return api(path, { method: init.method ?? (body === undefined ? 'GET' : 'PUT'), body, headers: { ...(token ? { 'X-Consul-Token': token } : {}), ...init.headers } });
}

export async function ok<T = unknown>(res: Response | Promise<Response>): Promise<T> {
  const r = await res;
  const text = await r.text();
  if (r.status !== 200) throw new Error(`expected 200, got ${r.status}: ${text}`);
  return (text ? JSON.parse(text) : null) as T;
}

/** A policy with `rules` and a token holding it; returns the token's SecretID and AccessorID. */
export async function tokenWithRules(rules: string): Promise<{ secret: string; accessor: string; policyId: string }> {
  const policy = await ok<{ ID: string }>(as(MANAGEMENT_TOKEN, '/v1/acl/policy', { body: { Name: `p-${crypto.randomUUID().slice(0, 8)}`, Rules: rules } }));
  const token = await ok<{ SecretID: string; AccessorID: string }>(as(MANAGEMENT_TOKEN, '/v1/acl/token', { body: { Policies: [{ ID: policy.ID }] } }));
  return { secret: token.SecretID, accessor: token.AccessorID, policyId: policy.ID };
}
