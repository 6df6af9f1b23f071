import { describe, expect, it } from 'vitest';
import { api } from '../test-support';

describe('ACL endpoints while ACLs are not enforced', () => {
  it.each([
    ['PUT', '/v1/acl/bootstrap'],
    ['GET', '/v1/acl/tokens'],
    ['PUT', '/v1/acl/token'],
    ['GET', '/v1/acl/token/self'],
    ['GET', '/v1/acl/policies'],
    ['DELETE', '/v1/acl/policy/00000000-0000-0000-0000-000000000001'],
    ['PUT', '/v1/agent/token/default'],
    ['PUT', '/v1/agent/token/acl_agent_token'],
  ])('%s %s answers 401 ACL support disabled, as a Consul agent without ACLs does', async (method, path) => {
    const res = await api(path, { method, body: method === 'PUT' ? '{"Token":"x"}' : undefined });
    expect([res.status, await res.text()]).toEqual([401, 'ACL support disabled']);
  });
});
