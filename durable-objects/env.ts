// The Datacenter object's bindings (wrangler.toml [vars], FEDERATION) and the namespace type. The
// namespace is generic in the class so this file imports nothing: datacenter.ts names itself
// (`DatacenterEnv<Datacenter>`) and worker/env.ts does the same, with no circle to name a type.

export interface DatacenterBindings {
  DATACENTER: string;
  AGENT_NODE: string;
  AGENT_ADDRESS: string;
  /** The datacenters (JSON, see worker/federation/config.ts); absent means one, named DATACENTER. */
  FEDERATION?: unknown;
}

export interface DatacenterEnv<D extends Rpc.DurableObjectBranded | undefined = undefined> extends DatacenterBindings {
  DATACENTER_OBJECT: DurableObjectNamespace<D>;
}
