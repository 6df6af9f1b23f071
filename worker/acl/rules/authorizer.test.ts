import { describe, it } from 'vitest';
import { run, type Case } from './authorizer-cases';
import { serviceIdentityRules } from './index';

describe('authorizerFor: exact rule, else longest prefix, else the default policy', () => {
  it.each<Case>([
    {
      name: 'the exact rule beats every prefix, the longest prefix beats shorter ones',
      policies: ['key_prefix "" { policy = "read" }\nkey_prefix "a" { policy = "deny" }\nkey "a" { policy = "write" }'],
      checks: [['key', 'a', 'write', true], ['key', 'ab', 'read', false], ['key', 'b', 'read', true], ['key', 'b', 'write', false]],
    },
    {
      name: 'a denying longest prefix does not fall back to a shorter one',
      policies: ['key_prefix "foo/" { policy = "write" }\nkey_prefix "foo/bar/" { policy = "deny" }'],
      checks: [['key', 'foo/bar/x', 'read', false], ['key', 'foo/x', 'write', true], ['key', 'foo/bar/', 'read', false], ['key', 'foo', 'read', false]],
    },
    {
      name: 'an exact rule covers only its own name',
      policies: ['service "web" { policy = "write" }'],
      checks: [['service', 'web', 'write', true], ['service', 'web2', 'read', false], ['service', 'we', 'read', false]],
    },
    {
      name: 'no rule: default allow grants',
      policies: ['service "web" { policy = "deny" }'], defaultPolicy: 'allow',
      checks: [['service', 'web', 'read', false], ['service', 'db', 'write', true], ['key', 'x', 'write', true], ['node', 'n', 'write', true]],
    },
    {
      name: 'no policies at all: the default policy alone',
      policies: [], defaultPolicy: 'deny',
      checks: [['service', 'web', 'read', false], ['agent', 'n', 'read', false], ['operator', 'read', false]],
    },
    {
      name: 'read grants read, list grants list and read, write grants all, deny none',
      policies: ['key "r" { policy = "read" }\nkey "l" { policy = "list" }\nkey "w" { policy = "write" }\nkey "d" { policy = "deny" }'],
      defaultPolicy: 'allow',
      checks: [
        ['key', 'r', 'read', true], ['key', 'r', 'list', false], ['key', 'r', 'write', false],
        ['key', 'l', 'read', true], ['key', 'l', 'list', true], ['key', 'l', 'write', false],
        ['key', 'w', 'read', true], ['key', 'w', 'list', true], ['key', 'w', 'write', true],
        ['key', 'd', 'read', false], ['key', 'd', 'list', false], ['key', 'd', 'write', false],
      ],
    },
    {
      name: 'without enable_key_list_policy key:list is not checked (a list rule still grants read)',
      policies: ['key_prefix "" { policy = "deny" }\nkey "l" { policy = "list" }'], keyList: false,
      checks: [['key', 'x', 'list', true], ['key', 'x', 'read', false], ['key', 'l', 'read', true], ['key', 'l', 'write', false]],
    },
    {
      name: 'block levels are case-insensitive; a global level not in lower case is lost in merging, as in Consul',
      policies: ['key "a" { policy = "WRITE" }\nOPERATOR = "Read"'], defaultPolicy: 'deny',
      checks: [['key', 'a', 'write', true], ['operator', 'read', false]],
    },
    {
      name: 'each resource reads its own rules',
      policies: ['agent "n" { policy = "write" }\nevent "n" { policy = "write" }\nquery "n" { policy = "write" }\nsession "n" { policy = "write" }\nnode "n" { policy = "read" }'],
      checks: [
        ['agent', 'n', 'write', true], ['event', 'n', 'write', true], ['query', 'n', 'write', true], ['session', 'n', 'write', true],
        ['node', 'n', 'read', true], ['node', 'n', 'write', false], ['service', 'n', 'read', false], ['key', 'n', 'read', false],
      ],
    },
    {
      name: 'intentions: read by default for read and write rules, deny for deny, else as written',
      policies: ['service "w" { policy = "write" }\nservice "r" { policy = "read" }\nservice "d" { policy = "deny" }\nservice "x" { policy = "read" intentions = "write" }\nservice_prefix "p" { policy = "deny" intentions = "read" }'],
      defaultPolicy: 'allow',
      checks: [
        ['intention', 'w', 'read', true], ['intention', 'w', 'write', false], ['intention', 'r', 'read', true],
        ['intention', 'd', 'read', false], ['intention', 'x', 'write', true], ['intention', 'pq', 'read', true],
        ['intention', 'pq', 'write', false], ['service', 'pq', 'read', false], ['intention', 'other', 'write', true],
      ],
    },
    {
      name: 'intentions default from the policy as spelt: "WRITE" gives deny, as Consul does',
      policies: ['service "w" { policy = "WRITE" }'], defaultPolicy: 'allow',
      checks: [['service', 'w', 'write', true], ['intention', 'w', 'read', false]],
    },
    {
      name: 'intention "*": read if any rule grants it, write only if none refuses it',
      policies: ['service_prefix "" { policy = "read" }\nservice "db" { policy = "write" intentions = "write" }\nservice "x" { policy = "deny" }'],
      checks: [['intention', '*', 'read', true], ['intention', '*', 'write', false]],
    },
    {
      name: 'global rules; mesh and peering fall back to operator',
      policies: ['acl = "read"\nkeyring = "write"\noperator = "read"\npeering = "write"'],
      checks: [
        ['acl', 'read', true], ['acl', 'write', false], ['keyring', 'write', true], ['operator', 'read', true],
        ['operator', 'write', false], ['mesh', 'read', true], ['mesh', 'write', false], ['peering', 'write', true],
      ],
    },
    {
      name: 'default allow grants every global resource but acl',
      policies: [], defaultPolicy: 'allow',
      checks: [['acl', 'read', false], ['acl', 'write', false], ['keyring', 'write', true], ['operator', 'write', true], ['mesh', 'write', true], ['peering', 'read', true]],
    },
    {
      name: 'a global deny stands against default allow',
      policies: ['operator = "deny"\nmesh = "read"'], defaultPolicy: 'allow',
      checks: [['operator', 'read', false], ['mesh', 'read', true], ['mesh', 'write', false], ['peering', 'read', false], ['keyring', 'read', true]],
    },
  ])('$name', run);
});

describe('authorizerFor merges a token’s policies: deny > write > list > read', () => {
  it.each<Case>([
    {
      name: 'the strongest level per name',
      policies: ['key "a" { policy = "read" }\nkey "b" { policy = "write" }\nkey "c" { policy = "read" }', 'key "a" { policy = "write" }\nkey "b" { policy = "deny" }\nkey "c" { policy = "list" }'],
      checks: [['key', 'a', 'write', true], ['key', 'b', 'read', false], ['key', 'c', 'list', true], ['key', 'c', 'write', false]],
    },
    {
      name: 'exact and prefix rules merge separately',
      policies: ['key "a" { policy = "deny" }', 'key_prefix "a" { policy = "write" }'],
      checks: [['key', 'a', 'read', false], ['key', 'ab', 'write', true]],
    },
    {
      name: 'repeated blocks within one policy merge the same way',
      policies: ['service "web" { policy = "write" }\nservice "web" { policy = "read" }\nnode "n" { policy = "deny" }\nnode "n" { policy = "write" }'],
      checks: [['service', 'web', 'write', true], ['node', 'n', 'read', false]],
    },
    {
      name: 'a service’s intentions merge on their own, and the default is taken after merging',
      policies: ['service "web" { policy = "deny" }', 'service "web" { policy = "read" intentions = "write" }'],
      checks: [['service', 'web', 'read', false], ['intention', 'web', 'write', true]],
    },
    {
      name: 'global levels merge too; an absent one changes nothing',
      policies: ['operator = "read"\nacl = "write"', 'operator = "write"\nacl = "deny"', 'keyring = "read"'],
      checks: [['operator', 'write', true], ['acl', 'read', false], ['keyring', 'read', true], ['keyring', 'write', false]],
    },
    {
      name: 'identities merge with policies',
      policies: [serviceIdentityRules('web'), 'service "web" { policy = "deny" }'],
      checks: [['service', 'web', 'write', false], ['service', 'web-sidecar-proxy', 'write', true]],
    },
  ])('$name', run);
});
