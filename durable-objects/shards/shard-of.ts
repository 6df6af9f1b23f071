// Which agent shard owns a check: a stable hash of the lowercased check ID modulo the shard count
// (AGENT_SHARDS, default 16). The worker routes heartbeats with it and the Datacenter checks reports
// against it, so both must read the same setting.
import type { CheckRunSpec } from '../../worker/consul/check';
import type { HealthStatus } from '../../worker/consul/common';

export const DEFAULT_AGENT_SHARDS = 16;
/** Consul's check_update_interval: how long an output-only change may wait before it reaches the catalog. */
export const DEFAULT_CHECK_UPDATE_INTERVAL_MS = 5 * 60_000;

export interface ShardSettings {
  AGENT_SHARDS?: string;
  CHECK_UPDATE_INTERVAL_MS?: string;
}

/** What a shard keeps of a TTL, HTTP or TCP check: its definition as the catalog has it, and the catalog's status. */
export interface ShardCheck {
  checkId: string;
  /** The ACL owner: the check's service name, '' for a node check. */
  owner: string;
  /** A TTL check's TTL (ms). */
  ttl?: number;
  /** An HTTP or TCP check's definition: target, Interval, Timeout, thresholds (agent/checks/http.ts, tcp.ts). */
  run?: CheckRunSpec;
  outputMaxSize?: number;
  status: HealthStatus;
  output: string;
}

export type ShardCheckKind = 'ttl' | 'http' | 'tcp';

/** The kind of check a shard holds, or undefined for one that stays with the Datacenter (maintenance, serfHealth). */
export function shardCheckKind(run: CheckRunSpec): ShardCheckKind | undefined {
  if (run.TTL) return 'ttl';
  if (!run.Interval) return undefined;
  return run.HTTP ? 'http' : run.TCP ? 'tcp' : undefined;
}

/** A change a shard sends the Datacenter: a check's status and output as the shard now has them. */
export interface ShardUpdate {
  checkId: string;
  status: HealthStatus;
  output: string;
  /** The kind the shard ran it as: a report about a check since redefined (TTL → HTTP) is not applied. */
  kind: ShardCheckKind;
}

/** What a shard calls on its Datacenter (Datacenter.agentShardReport). */
export interface ShardReportTarget extends Rpc.DurableObjectBranded {
  agentShardReport(shard: number, updates: ShardUpdate[]): { dropped: string[] };
}

/** Registrations and removals for one shard; `replace` drops every check not listed (a full re-sync). */
export interface ShardSync {
  replace: boolean;
  /** Every TTL listed starts afresh (a snapshot restore); otherwise a re-sync keeps running deadlines. */
  restartTtl?: boolean;
  own: ShardCheck[];
  drop: string[];
}

export function shardCount(env: ShardSettings): number {
  const n = Number(env.AGENT_SHARDS ?? DEFAULT_AGENT_SHARDS);
  return Number.isInteger(n) && n >= 1 ? n : DEFAULT_AGENT_SHARDS;
}

export function checkUpdateInterval(env: ShardSettings): number {
  const ms = Number(env.CHECK_UPDATE_INTERVAL_MS ?? DEFAULT_CHECK_UPDATE_INTERVAL_MS);
  return Number.isFinite(ms) && ms >= 0 ? ms : DEFAULT_CHECK_UPDATE_INTERVAL_MS;
}

/** FNV-1a (32-bit) of the lowercased ID: stable across isolates, deploys and runtimes. */
export function shardOf(checkId: string, count: number): number {
  const id = checkId.toLowerCase();
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    h ^= id.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % count;
}

/** The object name of shard `index` of a datacenter; the datacenter's name is everything before the last '/'. */
export const shardName = (datacenter: string, index: number) => `${datacenter}/${index}`;

export function parseShardName(name: string): { datacenter: string; index: number } {
  const at = name.lastIndexOf('/');
  return { datacenter: name.slice(0, at), index: Number(name.slice(at + 1)) };
}

type FederationShape = { datacenters?: { name: string; locationHint?: DurableObjectLocationHint }[] };

/** The datacenter's location hint in FEDERATION (as worker/agent-shards.ts places its shards), if any. */
export function shardLocationHint(federation: unknown, datacenter: string): DurableObjectLocationHint | undefined {
  const config = (typeof federation === 'string' ? JSON.parse(federation) : federation) as FederationShape | undefined;
  return config?.datacenters?.find((dc) => dc.name.toLowerCase() === datacenter.toLowerCase())?.locationHint;
}
