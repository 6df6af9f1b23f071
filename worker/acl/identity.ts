// Who a request's token is and what it may do: what worker/acl/resolve.ts compiles and every check reads.
// Its own file so worker/env.ts can name it without importing the resolver (which imports env.ts).
import type { AclToken } from '../consul/acl';
import type { Authorizer } from './rules';

export interface Identity {
  accessorId: string;
  /** The request carried no token (or the anonymous one): denials say so, as Consul's do. */
  anonymous: boolean;
  management: boolean;
  authorizer: Authorizer;
  token: AclToken | null;
}
