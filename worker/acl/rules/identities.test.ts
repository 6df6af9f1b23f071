import { describe, expect, it } from 'vitest';
import { rules, run, type Case } from './authorizer-cases';
import { authorizerFor, GLOBAL_MANAGEMENT_RULES, MANAGEMENT, nodeIdentityRules, serviceIdentityRules } from './index';

describe('identities and management', () => {
  it.each<Case>([
    {
      name: 'a service identity writes its service and sidecar, reads every service and node',
      policies: [serviceIdentityRules('web')],
      checks: [
        ['service', 'web', 'write', true], ['service', 'web-sidecar-proxy', 'write', true], ['service', 'db', 'read', true],
        ['service', 'db', 'write', false], ['node', 'n1', 'read', true], ['node', 'n1', 'write', false], ['key', 'k', 'read', false],
        ['intention', 'web', 'read', true], ['intention', 'web', 'write', false],
      ],
    },
    {
      name: 'a node identity writes its node and reads every service',
      policies: [nodeIdentityRules('n1')],
      checks: [['node', 'n1', 'write', true], ['node', 'n2', 'read', false], ['service', 'db', 'read', true], ['service', 'db', 'write', false]],
    },
    {
      name: 'an identity name is never read as rules syntax',
      policies: [serviceIdentityRules('x" { policy = "deny" } key_prefix "')],
      checks: [['service', 'x" { policy = "deny" } key_prefix "', 'write', true], ['key', 'k', 'read', false]],
    },
    {
      name: 'the global-management rules grant everything, acl included, under default deny',
      policies: [GLOBAL_MANAGEMENT_RULES],
      checks: [
        ['acl', 'write', true], ['keyring', 'write', true], ['operator', 'write', true], ['mesh', 'write', true], ['peering', 'write', true],
        ['key', 'any/key', 'write', true], ['service', 's', 'write', true], ['intention', 's', 'write', true], ['agent', 'a', 'write', true],
        ['node', 'n', 'write', true], ['session', 'n', 'write', true], ['event', 'e', 'write', true], ['query', 'q', 'write', true],
      ],
    },
  ])('$name', run);

  it('MANAGEMENT allows everything', () => {
    expect([
      MANAGEMENT.allows('key', 'x', 'write'), MANAGEMENT.allowsGlobal('acl', 'write'), MANAGEMENT.allowsKeyWritePrefix(''),
      MANAGEMENT.allowsAll('service', 'write'), MANAGEMENT.allowsAny('node', 'write'),
    ]).toEqual([true, true, true, true, true]);
    expect(authorizerFor([rules(GLOBAL_MANAGEMENT_RULES)], 'deny').allowsKeyWritePrefix('')).toBe(true);
  });
});
