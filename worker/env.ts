// The worker's bindings and per-request variables, typed once for every route.
import type { Datacenter } from '../durable-objects/datacenter';
import type { DatacenterEnv } from '../durable-objects/env';
import type { AgentShard } from '../durable-objects/shards/agent-shard';
import type { Identity } from './acl/identity';
import type { AclVars } from './acl/settings';
import type { Federation } from './federation/config';

export interface Env extends DatacenterEnv<Datacenter, AgentShard>, AclVars {
  /** Longest blocking-query wait honoured, in ms. */
  MAX_WAIT_MS?: string;
  /** Where `PUT /v1/agent/reload` asks the launcher to re-read the config directory (scripts/config-dir.ts). */
  CONFIG_RELOAD_URL?: string;
  /** The built UI (wrangler.toml [assets]); requests for its files never reach the worker. */
  ASSETS?: Fetcher;
  /** The built UI on disk, bound only under plain workerd (`npm start`; worker/local-ui.ts). */
  LOCAL_UI?: Fetcher;
}

export type DatacenterStub = DurableObjectStub<Datacenter>;

export type AppEnv = {
  Bindings: Env;
  Variables: {
    /** The Datacenter object this request reads and writes. */
    dc: DatacenterStub;
    dcName: string;
    /** Every declared datacenter, parsed once from FEDERATION. */
    federation: Federation;
    /** The ACL token the request carried ('' for anonymous). */
    token: string;
    /** Who the token is and what it may do; unset while ACLs are off (worker/acl/middleware.ts). */
    acl?: Identity;
  };
};

declare global {
  namespace Cloudflare {
    // Lets tests' `env` from cloudflare:test see Beacon's bindings.
    interface Env extends BeaconBindings {}
  }
}
type BeaconBindings = Env;
