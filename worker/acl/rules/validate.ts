// acl.PolicyRules.Validate: every level must be read/write/deny (case-insensitive; `list` too on
// key and key_prefix), scalars may be empty. The first failure, in field order, is reported with
// Go's `%#v` of the offending rule, as Consul prints it.
import { BLOCKS, SCALARS, type Block, type RawPolicy, type RawRule } from './decode';

export function validLevel(level: string, allowList: boolean): boolean {
  const l = level.toLowerCase();
  return l === 'read' || l === 'write' || l === 'deny' || (allowList && l === 'list');
}

/** Returns Consul's error text, or undefined when the policy is valid. */
export function validate(policy: RawPolicy): string | undefined {
  const { acl } = policy.scalars;
  if (acl !== '' && !validLevel(acl, false)) return `Invalid acl policy: ${goQuote(acl)}`;
  for (const block of BLOCKS) {
    const allowList = block === 'key' || block === 'key_prefix';
    for (const rule of policy.blocks[block]) {
      if (!validLevel(rule.policy, allowList)) return `Invalid ${block} policy: ${goDump(block, rule)}`;
      if (rule.intentions !== '' && !validLevel(rule.intentions, false)) {
        return `Invalid ${block} intentions policy: ${goDump(block, rule)}`;
      }
    }
  }
  for (const scalar of SCALARS.slice(1)) {
    const value = policy.scalars[scalar];
    if (value !== '' && !validLevel(value, false)) return `Invalid ${scalar} policy: ${goQuote(value)}`;
  }
  return undefined;
}

const STRUCT: Record<string, [type: string, label: string, enterprise: boolean]> = {
  agent: ['AgentRule', 'Node', false],
  key: ['KeyRule', 'Prefix', true],
  node: ['NodeRule', 'Name', true],
  service: ['ServiceRule', 'Name', true],
  session: ['SessionRule', 'Node', false],
  event: ['EventRule', 'Event', false],
  query: ['PreparedQueryRule', 'Prefix', false],
};

/** `%#v` of the *acl.XRule pointer, e.g. `&acl.KeyRule{Prefix:"a", Policy:"x", EnterpriseRule:acl.EnterpriseRule{}}`. */
export function goDump(block: Block, rule: RawRule): string {
  const kind = block.replace(/_prefix$/, '');
  const [type, label, enterprise] = STRUCT[kind];
  const fields = [`${label}:${goQuote(rule.name)}`, `Policy:${goQuote(rule.policy)}`];
  if (kind === 'service') fields.push(`Intentions:${goQuote(rule.intentions)}`);
  if (enterprise) fields.push('EnterpriseRule:acl.EnterpriseRule{}');
  return `&acl.${type}{${fields.join(', ')}}`;
}

const ESCAPES: Record<string, string> = { '\x07': '\\a', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\v': '\\v', '\\': '\\\\', '"': '\\"' };

/** Go's strconv.Quote. */
export function goQuote(s: string): string {
  let out = '"';
  for (const c of s) {
    const code = c.codePointAt(0)!;
    if (ESCAPES[c]) out += ESCAPES[c];
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else if (/[\p{L}\p{M}\p{N}\p{P}\p{S}\u0020]/u.test(c)) out += c;
    else out += code < 0x10000 ? `\\u${code.toString(16).padStart(4, '0')}` : `\\U${code.toString(16).padStart(8, '0')}`;
  }
  return `${out}"`;
}
