// The Datacenter's two hands towards its agent shards: applying what a shard reports (status changes and
// synced output, through the one write path, so indexes, watchers, sessions tied to checks and
// DeregisterCriticalServiceAfter behave as before), and forwarding a heartbeat its shard did not own.
import type { HealthStatus } from '../../worker/consul/common';
import type { CheckMonitor } from '../agent/checks/monitor';
import { checkBody, getCheck, setCheckStatus } from '../catalog/checks';
import type { Tx } from '../engine/indexes';
import { fromDone, refuse, type Outcome } from '../engine/outcome';
import type { ShardLink } from './link';
import { shardCheckKind, type ShardUpdate } from './shard-of';

/**
 * Writes the updates of checks `shard` owns (all in one transaction) and answers the rest as dropped: gone,
 * no longer a shard's kind of check, or owned by another shard since the shard count changed. The shard
 * forgets those. An update of a check since redefined as another kind (TTL → HTTP) is neither: the shard
 * hears of the new definition from the registration's own sync.
 */
export function applyShardReport(
  link: ShardLink | undefined, monitor: CheckMonitor, sql: SqlStorage, node: string, shard: number, updates: ShardUpdate[],
  write: (fn: (tx: Tx) => void) => void,
): { dropped: string[] } {
  const dropped: string[] = [];
  const owned = updates.filter((u) => {
    const row = getCheck(sql, node, u.checkId);
    const kind = row && shardCheckKind(checkBody(row).Run);
    const mine = !!link && !!kind && link.owner(u.checkId) === shard;
    if (!mine) dropped.push(u.checkId);
    return mine && kind === u.kind;
  });
  if (owned.length) write((tx) => {
    for (const u of owned) setCheckStatus(tx, node, u.checkId, u.status, u.output);
  });
  for (const u of owned) monitor.trackCritical(getCheck(sql, node, u.checkId)!);
  return { dropped };
}

/** Gives the heartbeat to the check's owning shard along with the check itself, so that shard takes it on. */
export async function forwardHeartbeat(link: ShardLink, checkId: string, status: HealthStatus, output: string): Promise<Outcome<null>> {
  const check = link.checkOf(checkId);
  if (!check?.ttl) return refuse(500, `CheckID "${checkId}" does not have associated TTL`);
  const answer = await link.stub(link.owner(checkId)).checkUpdate(checkId, status, output, undefined, check);
  return answer ? fromDone(answer) : refuse(500, `agent shard did not take check "${checkId}"`);
}
