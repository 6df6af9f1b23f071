// Shared by the authorizer's table tests: a case is policies, a default policy and expected decisions.
import { expect } from 'vitest';
import { authorizerFor, parseRules, type GlobalResource, type PolicyRules, type SegmentResource } from './index';

export function rules(text: string): PolicyRules {
  const parsed = parseRules(text);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.rules;
}

export type Need = 'read' | 'list' | 'write';
/** `[resource, segment, need, allowed]`; a global resource has no segment. */
export type Check = [SegmentResource, string, Need, boolean] | [GlobalResource, 'read' | 'write', boolean];
export interface Case { name: string; policies: (string | PolicyRules)[]; defaultPolicy?: 'allow' | 'deny'; keyList?: boolean; checks: Check[] }

const GLOBALS = new Set(['acl', 'keyring', 'operator', 'mesh', 'peering']);

export function run({ policies, defaultPolicy = 'deny', keyList = true, checks }: Case) {
  const authz = authorizerFor(policies.map((p) => (typeof p === 'string' ? rules(p) : p)), defaultPolicy, { enableKeyListPolicy: keyList });
  const got = checks.map((c) => (GLOBALS.has(c[0])
    ? [c[0], c[1], authz.allowsGlobal(c[0] as GlobalResource, c[1] as 'read' | 'write')]
    : [c[0], c[1], c[2], authz.allows(c[0] as SegmentResource, c[1], c[2] as Need)]));
  expect(got).toEqual(checks);
}

