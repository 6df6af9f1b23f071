import { describe, expect, it } from 'vitest';
import { rules, type Need } from './authorizer-cases';
import { authorizerFor, type SegmentResource } from './index';

describe('allowsKeyWritePrefix: a recursive delete needs write on everything beneath', () => {
  it.each<[string, string, 'allow' | 'deny', [string, boolean][]]>([
    ['write from the covering prefix and nothing less beneath', 'key_prefix "foo/" { policy = "write" }', 'deny',
      [['foo/', true], ['foo/x/', true], ['fo', false], ['', false], ['bar/', false]]],
    ['a read rule beneath blocks the delete', 'key_prefix "" { policy = "write" }\nkey "foo/bar" { policy = "read" }', 'deny',
      [['foo/', false], ['foo/bar', false], ['foo/bar/', true], ['zoo/', true], ['', false]]],
    ['a list prefix beneath blocks it too', 'key_prefix "" { policy = "write" }\nkey_prefix "a/b" { policy = "list" }', 'deny',
      [['a/', false], ['a/c', true]]],
    ['a covering prefix without write refuses', 'key_prefix "foo/" { policy = "read" }\nkey_prefix "foo/sub/" { policy = "write" }', 'allow',
      [['foo/', false], ['foo/sub/', true], ['foo/other', false]]],
    ['an exact rule on the prefix itself counts', 'key_prefix "" { policy = "write" }\nkey "foo/" { policy = "deny" }', 'allow',
      [['foo/', false], ['foo/x', true]]],
    ['no covering rule: the default policy, unless a rule beneath refuses', 'key "x/y" { policy = "deny" }\nkey_prefix "w/" { policy = "write" }', 'allow',
      [['q/', true], ['x/', false], ['', false], ['w', true]]],
    ['no covering rule under default deny', 'key_prefix "w/" { policy = "write" }', 'deny',
      [['w', false], ['w/', true]]],
  ])('%s', (_name, text, defaultPolicy, checks) => {
    const authz = authorizerFor([rules(text)], defaultPolicy);
    expect(checks.map(([p]) => [p, authz.allowsKeyWritePrefix(p)])).toEqual(checks);
  });
});

describe('allowsAll and allowsAny: Consul’s whole-tree checks', () => {
  it.each<[string, string, 'allow' | 'deny', [SegmentResource, Need, boolean, boolean][]]>([
    ['read on every service unless one is denied', 'service_prefix "" { policy = "read" }\nservice "secret" { policy = "deny" }', 'allow',
      [['service', 'read', false, true], ['service', 'write', false, false]]],
    ['a catch-all grant with nothing refusing', 'node_prefix "" { policy = "read" }', 'deny',
      [['node', 'read', true, true], ['node', 'write', false, false]]],
    ['some names only: any, but all falls to the default', 'service "a" { policy = "write" }', 'deny',
      [['service', 'write', false, true], ['service', 'read', false, true]]],
    ['some names only under default allow', 'service "a" { policy = "read" }', 'allow',
      [['service', 'read', true, true], ['service', 'write', false, true]]],
  ])('%s', (_name, text, defaultPolicy, checks) => {
    const authz = authorizerFor([rules(text)], defaultPolicy);
    expect(checks.map(([r, n]) => [r, n, authz.allowsAll(r, n), authz.allowsAny(r, n)])).toEqual(checks);
  });
});

describe('allowsKeyList: the rule’s answer whatever enable_key_list_policy says', () => {
  it.each<[boolean, [string, boolean][]]>([
    [false, [['l/x', true], ['r/x', false], ['other', false]]],
    [true, [['l/x', true], ['r/x', false], ['other', false]]],
  ])('enable_key_list_policy %s', (enableKeyListPolicy, checks) => {
    const authz = authorizerFor([rules('key_prefix "l/" { policy = "list" }\nkey_prefix "r/" { policy = "read" }')], 'deny', { enableKeyListPolicy });
    expect(checks.map(([k]) => [k, authz.allowsKeyList(k)])).toEqual(checks);
    expect(authz.allows('key', 'r/x', 'list')).toBe(!enableKeyListPolicy);
  });
});
