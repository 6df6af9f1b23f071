// The worker's way to the agent shards (durable-objects/shards/): a TTL update goes to the shard owning
// the check and reaches the Datacenter only when the shard does not own it (a new shard count, or a
// registration the shard has not heard of yet); GET /v1/agent/checks shows what the shards hold.
import type { HealthCheck } from './consul/check';
import type { HealthStatus } from './consul/common';
import type { DatacenterStub, Env } from './env';
import { fromDone, type Outcome } from '../durable-objects/engine/outcome';
import { shardCount, shardName, shardOf, type ShardUpdate } from '../durable-objects/shards/shard-of';
import { objectId } from './federation/choose';
import { federationOf } from './federation/config';

/** A datacenter's shard, placed by the datacenter's location hint as its Datacenter object is (federation/choose.ts). */
function shard(env: Env, datacenter: string, index: number) {
  const locationHint = federationOf(env).byName.get(datacenter.toLowerCase())?.locationHint;
  const namespace = env.AGENT_SHARD!;
  return namespace.get(objectId(namespace, shardName(datacenter, index)), locationHint ? { locationHint } : undefined);
}

/** Every shard of a datacenter, none when shards are off (no AGENT_SHARD binding). */
export const allShards = (env: Env, datacenter: string) =>
  env.AGENT_SHARD ? [...Array(shardCount(env)).keys()].map((i) => shard(env, datacenter, i)) : [];

/** `dc`: the way to the datacenter's object, taken only when the shard does not own the check. */
export async function agentCheckUpdate(
  env: Env, dc: () => DatacenterStub, datacenter: string, checkId: string, status: HealthStatus, output: string, owner?: string,
): Promise<Outcome<null>> {
  if (env.AGENT_SHARD) {
    const answer = await shard(env, datacenter, shardOf(checkId, shardCount(env))).checkUpdate(checkId, status, output, owner);
    if (answer) return fromDone(answer);
  }
  return dc().agentCheckUpdate(checkId, status, output, owner);
}

/** Who owns a check for the ACL fast path: its shard knows, else (not that shard's) the Datacenter. */
export const ownerLookup = (env: Env, dc: DatacenterStub, datacenter: string) => ({
  async agentCheckOwner(checkId: string): Promise<string | null> {
    const owner = env.AGENT_SHARD ? await shard(env, datacenter, shardOf(checkId, shardCount(env))).checkOwner(checkId) : undefined;
    return owner ?? dc.agentCheckOwner(checkId);
  },
});

/** The agent's own view, as Consul's /v1/agent/checks: output a shard holds that the catalog will see at its next sync. */
export async function withShardState(env: Env, datacenter: string, checks: HealthCheck[]): Promise<HealthCheck[]> {
  if (!env.AGENT_SHARD) return checks;
  const pending = (await Promise.all(allShards(env, datacenter).map((s) => s.pending()))).flat();
  if (!pending.length) return checks;
  const byId = new Map<string, ShardUpdate>(pending.map((p) => [p.checkId.toLowerCase(), p]));
  return checks.map((c) => {
    const held = byId.get(c.CheckID.toLowerCase());
    return held ? { ...c, Status: held.status, Output: held.output } : c;
  });
}
