// The Datacenter object's bindings (wrangler.toml [vars], FEDERATION) and the namespace type. The
// namespace is generic in the class so this file imports nothing: datacenter.ts names itself
// (`DatacenterEnv<Datacenter>`) and worker/env.ts does the same, with no circle to name a type.

export interface DatacenterBindings {
  DATACENTER: string;
  AGENT_NODE: string;
  AGENT_ADDRESS: string;
  /** The datacenters (JSON, see worker/federation/config.ts); absent means one, named DATACENTER. */
  FEDERATION?: unknown;
  /** Agent shards per datacenter (durable-objects/shards/shard-of.ts; default 16). */
  AGENT_SHARDS?: string;
  /** Consul's check_update_interval in ms: how long an output-only check change may wait (default 5 min). */
  CHECK_UPDATE_INTERVAL_MS?: string;
}

export interface DatacenterEnv<D extends Rpc.DurableObjectBranded | undefined = undefined, S extends Rpc.DurableObjectBranded | undefined = undefined>
  extends DatacenterBindings {
  DATACENTER_OBJECT: DurableObjectNamespace<D>;
  /** The agent shards holding TTL checks (durable-objects/shards/); without it the Datacenter keeps TTLs itself. */
  AGENT_SHARD?: DurableObjectNamespace<S>;
}
