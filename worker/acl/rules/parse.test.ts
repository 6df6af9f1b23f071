import { describe, expect, it } from 'vitest';
import { GLOBAL_MANAGEMENT_RULES, parseRules, type PolicyRules } from './index';

/** A policy as lines: `key "a" read`, `service_prefix "" write intentions=read`, `acl = write`. */
function lines(rules: PolicyRules): string[] {
  const out: string[] = [];
  for (const [scalar, value] of Object.entries(rules.scalars)) if (value !== '') out.push(`${scalar} = ${value}`);
  for (const [block, list] of Object.entries(rules.blocks)) {
    for (const r of list) out.push(`${block} ${JSON.stringify(r.name)} ${r.policy}${r.intentions ? ` intentions=${r.intentions}` : ''}`);
  }
  return out.sort();
}

function parsed(text: string): string[] {
  const result = parseRules(text);
  if (!result.ok) throw new Error(result.error);
  return lines(result.rules);
}

const EVERY_KIND = `
agent_prefix "bar" { policy = "write" }
agent "foo" { policy = "read" }
event_prefix "" { policy = "read" }
event "foo" { policy = "write" }
key_prefix "foo/" { policy = "list" }
key "foo/bar/baz" { policy = "deny" }
keyring = "deny"
node_prefix "" { policy = "read" }
node "foo" { policy = "write" }
operator = "read"
mesh = "write"
peering = "deny"
acl = "read"
service_prefix "" { policy = "write" }
service "foo" { policy = "read" intentions = "deny" }
session "foo" { policy = "write" }
session_prefix "baz" { policy = "deny" }
query_prefix "" { policy = "read" }
query "foo" { policy = "write" }
`;

const EVERY_KIND_JSON = JSON.stringify({
  agent_prefix: { bar: { policy: 'write' } }, agent: { foo: { policy: 'read' } },
  event_prefix: { '': { policy: 'read' } }, event: { foo: { policy: 'write' } },
  key_prefix: { 'foo/': { policy: 'list' } }, key: { 'foo/bar/baz': { policy: 'deny' } },
  keyring: 'deny', node_prefix: { '': { policy: 'read' } }, node: { foo: { policy: 'write' } },
  operator: 'read', mesh: 'write', peering: 'deny', acl: 'read',
  service_prefix: { '': { policy: 'write' } }, service: { foo: { policy: 'read', intentions: 'deny' } },
  session: { foo: { policy: 'write' } }, session_prefix: { baz: { policy: 'deny' } },
  query_prefix: { '': { policy: 'read' } }, query: { foo: { policy: 'write' } },
});

const EVERY_KIND_LINES = [
  'acl = read', 'agent "foo" read', 'agent_prefix "bar" write', 'event "foo" write', 'event_prefix "" read',
  'key "foo/bar/baz" deny', 'key_prefix "foo/" list', 'keyring = deny', 'mesh = write', 'node "foo" write',
  'node_prefix "" read', 'operator = read', 'peering = deny', 'query "foo" write', 'query_prefix "" read',
  'service "foo" read intentions=deny', 'service_prefix "" write', 'session "foo" write', 'session_prefix "baz" deny',
];

describe('parseRules accepts Consul rules', () => {
  it.each<[string, string, string[]]>([
    ['every kind of rule, HCL', EVERY_KIND, EVERY_KIND_LINES],
    ['every kind of rule, JSON', EVERY_KIND_JSON, EVERY_KIND_LINES],
    ['the empty text', '', []],
    ['blanks and comments only', '  # hash\n// slashes\n/* block\n comment */\n', []],
    ['comments between tokens', 'key /* here */ "a" { # there\n policy = "read" // and there\n}', ['key "a" read']],
    ['one-line blocks with several attributes', 'service "web" { policy = "write" intentions = "read" }', ['service "web" write intentions=read']],
    ['commas between items', 'key "a" { policy = "read", }, acl = "write",', ['acl = write', 'key "a" read']],
    ['repeated blocks of one kind', 'key "a" { policy = "read" }\nkey "b" { policy = "write" }\nkey "a" { policy = "deny" }', ['key "a" deny', 'key "a" read', 'key "b" write']],
    ['the empty label', 'key_prefix "" { policy = "read" }', ['key_prefix "" read']],
    ['a bare identifier as label', 'node web-1.dc { policy = "read" }', ['node "web-1.dc" read']],
    ['escapes in strings', 'key "a\\"b\\\\c\\u00e9\\x41" { policy = "read" }', ['key "a\\"b\\\\céA" read']],
    ['names and levels in any case', 'KEY "a" { Policy = "READ" }\nACL = "Write"', ['acl = Write', 'key "a" READ']],
    ['the map form', 'key = { "a" = { policy = "read" } }', ['key "a" read']],
    ['unknown names, ignored as hcl does', 'foo = "bar"\nkey "a" { policy = "read" sentinel { code = "x" } }', ['key "a" read']],
    ['empty scalars', 'acl = ""\noperator = ""', []],
    ['a number decoded to its text', 'key "1" { policy = "read" }', ['key "1" read']],
    ['a heredoc value in an ignored field', 'key "a" {\n  policy = "read"\n  note = <<EOT\nfree text\nEOT\n}', ['key "a" read']],
    ['CRLF line ends', 'key "a" {\r\n  policy = "read"\r\n}\r\n', ['key "a" read']],
    ['JSON: several names under one kind', '{"key":{"a":{"policy":"read"},"b":{"policy":"write"}}}', ['key "a" read', 'key "b" write']],
    ['JSON: the list form', '{"key":[{"a":{"policy":"read"}},{"b":{"policy":"write"}}]}', ['key "a" read', 'key "b" write']],
    ['JSON: the example of the API docs', '{"key_prefix":{"":{"policy":"read"}},"operator":"read"}', ['key_prefix "" read', 'operator = read']],
    ['JSON: a trailing comma and no closing brace, as hcl lets pass', '  {"acl": "write",', ['acl = write']],
    ['JSON: null as the empty string', '{"acl": null}', []],
    ['JSON: one kind twice', '{"key": {"a": {"policy": "read"}}, "key": {"b": {"policy": "write"}}}', ['key "a" read', 'key "b" write']],
    ['JSON: a missing value before the closing brace, swallowed as hcl does', '{"key":{"a":{"policy":"read"}}, "acl": }', ['key "a" read']],
    ['the builtin global-management rules', GLOBAL_MANAGEMENT_RULES, [
      'acl = write', 'agent_prefix "" write', 'event_prefix "" write', 'key_prefix "" write', 'keyring = write',
      'mesh = write', 'node_prefix "" write', 'operator = write', 'peering = write', 'query_prefix "" write',
      'service_prefix "" write intentions=write', 'session_prefix "" write',
    ]],
  ])('%s', (_name, text, expected) => {
    expect(parsed(text)).toEqual(expected);
  });
});

describe('parseRules rejects bad rules with Consul’s text', () => {
  it.each<[string, string, string]>([
    // hcl syntax errors, positions as hcl reports them
    ['a word alone', 'not_hcl', 'Failed to parse ACL rules: At 1:9: key \'not_hcl\' expected start of object (\'{\') or assignment (\'=\')'],
    ['several words', 'not a valid hcl', 'Failed to parse ACL rules: At 1:17: key \'not a valid hcl\' expected start of object (\'{\') or assignment (\'=\')'],
    ['`=` before a labelled block', 'key "a" = { policy = "read" }', 'Failed to parse ACL rules: At 1:9: nested object expected: LBRACE got: ASSIGN'],
    ['an attribute without value', 'key "a" { policy }', 'Failed to parse ACL rules: At 1:18: key \'policy\' expected start of object (\'{\') or assignment (\'=\')'],
    ['an unclosed block', 'key "x" { policy = "read" ', 'Failed to parse ACL rules: At 1:28: object expected closing RBRACE got: EOF'],
    ['a stray closing brace', '}', 'Failed to parse ACL rules: At 1:1: expected: IDENT | STRING | ASSIGN | LBRACE got: RBRACE'],
    ['an unterminated string', 'acl = "wr', 'Failed to parse ACL rules: At 1:10: literal not terminated'],
    ['a bad escape', 'key "a\\qb" {}', 'Failed to parse ACL rules: At 1:8: illegal char escape'],
    ['a raw newline in a string (hcl panics; Beacon reports it)', 'key "a\nb" { policy = "read" }', 'Failed to parse ACL rules: At 1:5: unquote "a\nb" err: invalid syntax'],
    ['an unterminated comment', 'acl = "read" /* no end', 'Failed to parse ACL rules: At 1:23: comment not terminated'],
    ['an illegal character', 'acl = "read"\n@', 'Failed to parse ACL rules: At 2:1: illegal char'],
    ['a value that is no value', 'acl = }', 'Failed to parse ACL rules: At 1:7: Unknown token: {Type:RBRACE Pos:1:7 Text:} JSON:false}'],
    ['an attribute set twice', 'acl = "read"\nacl = "write"', 'Failed to parse ACL rules: At 2:1: The argument "acl" at 1:1 was already set. Each argument can only be defined once'],
    ['policy set twice in a block', 'key "a" {\n  policy = "read"\n  policy = "write"\n}', 'Failed to parse ACL rules: At 3:3: The argument "policy" at 2:3 was already set. Each argument can only be defined once'],
    // hcl decode errors
    ['JSON: an attribute set twice', '{"key": {"a": {"policy": "read", "policy": "write"}}}', 'Failed to parse ACL rules: At -: The argument "policy" at - was already set. Each argument can only be defined once'],
    ['a block where a level belongs', 'acl { a = "b" }', 'Failed to parse ACL rules: At 1:7: root.acl: unknown type for string *ast.ObjectList'],
    ['a labelled scalar', 'operator "x" { policy = "read" }', 'Failed to parse ACL rules: At 1:10: root.operator: unknown type for string *ast.ObjectList'],
    ['a string where blocks belong', 'key = "x"', 'Failed to parse ACL rules: At 1:7: unknown slice type: *ast.LiteralType'],
    ['a list of objects in HCL', 'key = [{ a = { policy = "read" } }]', 'Failed to parse ACL rules: At 1:10: root.key[0]: Prefix asked for \'key\', impossible'],
    ['a list as a policy', 'key "a" { policy = ["read"] }', 'Failed to parse ACL rules: At 1:20: root.key[0].Policy: unknown type for string *ast.ListType'],
    // JSON syntax errors (hcl's JSON parser gives no position)
    ['JSON: decode errors have no position', '{"key": {"a": {"policy": ["read"]}}}', 'Failed to parse ACL rules: At -: root.key[0].Policy: unknown type for string *ast.ListType'],
    ['JSON: a string where blocks belong', '{"service": "web"}', 'Failed to parse ACL rules: At -: unknown slice type: *ast.LiteralType'],
    ['JSON: a colon without key', '{ : "x" }', 'Failed to parse ACL rules: expected: STRING got: COLON'],
    ['JSON: a bad value', '{"acl": :}', 'Failed to parse ACL rules: Expected object value, got unknown token: {Type:COLON Pos:1:9 Text::}'],
    ['JSON: an illegal character, the scanner’s error first', '{"acl": @}', 'Failed to parse ACL rules: 1:9: illegal char'],
    // validation (acl.PolicyRules.Validate), first failure in field order
    ['list on acl', 'acl = "list"', 'Invalid acl policy: "list"'],
    ['a number as level', 'acl = 1', 'Invalid acl policy: "1"'],
    ['a bool as level', 'keyring = true', 'Invalid keyring policy: "true"'],
    ['a bad operator level', 'operator = "nope"', 'Invalid operator policy: "nope"'],
    ['a bad mesh level', 'mesh = "nope"', 'Invalid mesh policy: "nope"'],
    ['a bad peering level', 'peering = "nope"', 'Invalid peering policy: "nope"'],
    ['a bad agent level', 'agent "foo" { policy = "nope" }', 'Invalid agent policy: &acl.AgentRule{Node:"foo", Policy:"nope"}'],
    ['a bad agent_prefix level', 'agent_prefix "foo" { policy = "nope" }', 'Invalid agent_prefix policy: &acl.AgentRule{Node:"foo", Policy:"nope"}'],
    ['a bad key level', 'key "foo" { policy = "nope" }', 'Invalid key policy: &acl.KeyRule{Prefix:"foo", Policy:"nope", EnterpriseRule:acl.EnterpriseRule{}}'],
    ['a bad key_prefix level', 'key_prefix "foo" { policy = "nope" }', 'Invalid key_prefix policy: &acl.KeyRule{Prefix:"foo", Policy:"nope", EnterpriseRule:acl.EnterpriseRule{}}'],
    ['list on node', 'node "foo" { policy = "list" }', 'Invalid node policy: &acl.NodeRule{Name:"foo", Policy:"list", EnterpriseRule:acl.EnterpriseRule{}}'],
    ['a bad node_prefix level', 'node_prefix "foo" { policy = "nope" }', 'Invalid node_prefix policy: &acl.NodeRule{Name:"foo", Policy:"nope", EnterpriseRule:acl.EnterpriseRule{}}'],
    ['a service rule without policy', 'service "" {}', 'Invalid service policy: &acl.ServiceRule{Name:"", Policy:"", Intentions:"", EnterpriseRule:acl.EnterpriseRule{}}'],
    ['a misnamed attribute leaves the policy empty', 'service "" { service = "write" }', 'Invalid service policy: &acl.ServiceRule{Name:"", Policy:"", Intentions:"", EnterpriseRule:acl.EnterpriseRule{}}'],
    ['bad intentions', 'service "foo" { policy = "write" intentions = "foo" }', 'Invalid service intentions policy: &acl.ServiceRule{Name:"foo", Policy:"write", Intentions:"foo", EnterpriseRule:acl.EnterpriseRule{}}'],
    ['bad prefix intentions', 'service_prefix "" { policy = "read" intentions = "list" }', 'Invalid service_prefix intentions policy: &acl.ServiceRule{Name:"", Policy:"read", Intentions:"list", EnterpriseRule:acl.EnterpriseRule{}}'],
    ['a bad session level', 'session "foo" { policy = "nope" }', 'Invalid session policy: &acl.SessionRule{Node:"foo", Policy:"nope"}'],
    ['a bad session_prefix level', 'session_prefix "foo" { policy = "nope" }', 'Invalid session_prefix policy: &acl.SessionRule{Node:"foo", Policy:"nope"}'],
    ['a bad event level', 'event "foo" { policy = "nope" }', 'Invalid event policy: &acl.EventRule{Event:"foo", Policy:"nope"}'],
    ['a bad event_prefix level', 'event_prefix "foo" { policy = "nope" }', 'Invalid event_prefix policy: &acl.EventRule{Event:"foo", Policy:"nope"}'],
    ['a bad query level', 'query "foo" { policy = "nope" }', 'Invalid query policy: &acl.PreparedQueryRule{Prefix:"foo", Policy:"nope"}'],
    ['a bad query_prefix level', 'query_prefix "foo" { policy = "nope" }', 'Invalid query_prefix policy: &acl.PreparedQueryRule{Prefix:"foo", Policy:"nope"}'],
    ['two labels', 'key "a" "b" { policy = "read" }', 'Invalid key policy: &acl.KeyRule{Prefix:"a", Policy:"", EnterpriseRule:acl.EnterpriseRule{}}'],
    ['a heredoc level keeps its newline', 'acl = <<EOF\nwrite\nEOF\n', 'Invalid acl policy: "write\\n"'],
    ['Go quoting in the dump', 'key "tab\\there" { policy = "r\\u00e9ad" }', 'Invalid key policy: &acl.KeyRule{Prefix:"tab\\there", Policy:"réad", EnterpriseRule:acl.EnterpriseRule{}}'],
    ['acl checked before the blocks', 'key "a" { policy = "nope" }\nacl = "nope"', 'Invalid acl policy: "nope"'],
    ['the blocks checked before keyring', 'keyring = "nope"\nquery "a" { policy = "nope" }', 'Invalid query policy: &acl.PreparedQueryRule{Prefix:"a", Policy:"nope"}'],
    ['JSON: a bad level', '{"service":{"web":{"policy":"nope"}}}', 'Invalid service policy: &acl.ServiceRule{Name:"web", Policy:"nope", Intentions:"", EnterpriseRule:acl.EnterpriseRule{}}'],
    ['JSON: a bad scalar', '{ "peering": "nope" }', 'Invalid peering policy: "nope"'],
  ])('%s', (_name, text, error) => {
    expect(parseRules(text)).toEqual({ ok: false, error });
  });
});
