// Builders for agent shard tests: a fresh Datacenter with a known name, the shard owning a check, and
// the shard's clock and alarm, as durable-objects/test-support.ts has them for the Datacenter.
import { env, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import type { Datacenter } from '../datacenter';
import type { AgentShard } from './agent-shard';
import { shardCount, shardName, shardOf } from './shard-of';

export const SHARDS = shardCount(env);

export function freshNamedDatacenter(): { name: string; dc: DurableObjectStub<Datacenter> } {
  const name = `t-${crypto.randomUUID()}`;
  return { name, dc: env.DATACENTER_OBJECT.getByName(name) };
}

export const shardAt = (datacenter: string, index: number) => env.AGENT_SHARD!.getByName(shardName(datacenter, index));
export const shardFor = (datacenter: string, checkId: string) => shardAt(datacenter, shardOf(checkId, SHARDS));

export const inShard = <R>(shard: DurableObjectStub<AgentShard>, fn: (instance: AgentShard, state: DurableObjectState) => R | Promise<R>) =>
  runInDurableObject(shard as unknown as DurableObjectStub, (instance, state) => fn(instance as unknown as AgentShard, state));

/** Moves the shard's clock on by `ms` and runs its alarm. */
export async function advanceShard(shard: DurableObjectStub<AgentShard>, ms: number): Promise<boolean> {
  await inShard(shard, (instance) => instance.clock.advance(ms));
  return runDurableObjectAlarm(shard as unknown as DurableObjectStub);
}

/** Waits until the Datacenter has sent its shards every registration so far (registrations answer before). */
export const settled = (dc: DurableObjectStub<Datacenter>) =>
  runInDurableObject(dc as unknown as DurableObjectStub, (instance) => (instance as unknown as Datacenter).shards?.settle());

/** Ends an object's instance as a crash would; the next request starts a new one from its storage. */
export async function restart(stub: DurableObjectStub<AgentShard> | DurableObjectStub<Datacenter>): Promise<void> {
  await runInDurableObject(stub as unknown as DurableObjectStub, (_instance, state) => state.abort('restart')).catch(() => undefined);
}
