// An agent shard's own table: one row per TTL check it owns, with the status and output it last told
// the Datacenter (synced_*), so a restart knows what still has to be sent.
import type { HealthStatus } from '../../worker/consul/common';
import type { ShardCheck } from './shard-of';

export interface ShardEntry extends ShardCheck {
  syncedStatus: HealthStatus;
  syncedOutput: string;
}

export function migrateShard(sql: SqlStorage): void {
  sql.exec('CREATE TABLE IF NOT EXISTS shard_checks (check_key TEXT PRIMARY KEY, body TEXT NOT NULL)');
}

export const checkKey = (checkId: string) => checkId.toLowerCase();

export function loadEntries(sql: SqlStorage): Map<string, ShardEntry> {
  const rows = sql.exec<{ check_key: string; body: string }>('SELECT check_key, body FROM shard_checks').toArray();
  return new Map(rows.map((r) => [r.check_key, JSON.parse(r.body) as ShardEntry]));
}

export function saveEntry(sql: SqlStorage, entry: ShardEntry): void {
  sql.exec('INSERT OR REPLACE INTO shard_checks (check_key, body) VALUES (?, ?)', checkKey(entry.checkId), JSON.stringify(entry));
}

export function deleteEntry(sql: SqlStorage, key: string): void {
  sql.exec('DELETE FROM shard_checks WHERE check_key = ?', key);
}
