// The worker's bindings and per-request variables, typed once for every route.
import type { Datacenter, DatacenterEnv } from '../durable-objects/datacenter';
import type { Federation } from './federation/config';

export interface Env extends DatacenterEnv {
  /** Longest blocking-query wait honoured, in ms. */
  MAX_WAIT_MS?: string;
  /** The built UI (wrangler.toml [assets]); requests for its files never reach the worker. */
  ASSETS?: Fetcher;
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
  };
};

declare global {
  namespace Cloudflare {
    // Lets tests' `env` from cloudflare:test see Beacon's bindings.
    interface Env extends BeaconBindings {}
  }
}
type BeaconBindings = Env;
