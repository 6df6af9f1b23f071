// Optional KV replication from the primary datacenter (what people run consul-replicate for): each
// declared secondary's object pulls the primary's entries under the configured prefixes on its alarm
// and mirrors them in one write. The worker validates FEDERATION at start-up; the object trusts it.
import type { KvEntry } from '../worker/consul/kv';
import type { Tx } from './indexes';
import { deleteKv, getKv, listKvKeys, putKv } from './store/kv';

export const REPLICATION_TIMER = 'replicate:';
export const DEFAULT_REPLICATION_INTERVAL_MS = 5_000;

export interface ReplicationPlan {
  primary: string;
  prefixes: string[];
  intervalMs: number;
}

type FederationShape = { primary?: string; datacenters?: { name: string }[]; replicate?: { prefixes?: string[]; intervalMs?: number } };

/** The plan for the datacenter named `self`: none for the primary, an undeclared object or no `replicate`. */
export function replicationPlan(federation: unknown, self: string): ReplicationPlan | null {
  const config = (typeof federation === 'string' ? JSON.parse(federation) : federation) as FederationShape | undefined;
  const prefixes = config?.replicate?.prefixes ?? [];
  const declared = config?.datacenters?.some((dc) => dc.name.toLowerCase() === self.toLowerCase());
  if (!config?.primary || !prefixes.length || !declared || config.primary.toLowerCase() === self.toLowerCase()) return null;
  return { primary: config.primary, prefixes, intervalMs: config.replicate?.intervalMs ?? DEFAULT_REPLICATION_INTERVAL_MS };
}

/** Makes the keys under `prefix` equal to the primary's: values and flags copied, extra keys deleted, locks left alone. */
export function mirror(tx: Tx, prefix: string, source: KvEntry[]): void {
  const wanted = new Set<string>();
  for (const entry of source) {
    wanted.add(entry.Key);
    const local = getKv(tx.sql, entry.Key);
    putKv(tx, { key: entry.Key, value: entry.Value, flags: entry.Flags, session: local?.session ?? null, lockIndex: local?.lock_index ?? 0 }, local);
  }
  for (const key of listKvKeys(tx.sql, prefix)) if (!wanted.has(key)) deleteKv(tx, key);
}
