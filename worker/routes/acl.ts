// /v1/acl/*: ACLs are not enforced, so every ACL endpoint answers as a Consul agent with ACLs disabled
// does (agent/acl_endpoint.go checkACLDisabled): 401 `ACL support disabled`, whatever the method.
import { Hono } from 'hono';
import type { AppEnv } from '../env';
import { aclDisabled } from '../http/acl';

export const aclApi = new Hono<AppEnv>();

aclApi.all('/*', () => {
  throw aclDisabled();
});
