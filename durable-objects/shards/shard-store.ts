// An agent shard's own table: one row per check it owns (TTL, HTTP, TCP), with the status and output it
// last told the Datacenter (synced*), so a restart knows what still has to be sent.
import type { HealthStatus } from '../../worker/consul/common';
import type { ShardCheck, ShardCheckKind } from './shard-of';

export interface ShardEntry extends ShardCheck {
  syncedStatus: HealthStatus;
  syncedOutput: string;
}

export function migrateShard(sql: SqlStorage): void {
  sql.exec('CREATE TABLE IF NOT EXISTS shard_checks (check_key TEXT PRIMARY KEY, body TEXT NOT NULL)');
}

export const checkKey = (checkId: string) => checkId.toLowerCase();

export const entryKind = (e: ShardCheck): ShardCheckKind => (e.ttl ? 'ttl' : e.run?.HTTP ? 'http' : 'tcp');
/** Status or output the catalog has not heard yet. */
export const unsynced = (e: ShardEntry) => e.status !== e.syncedStatus || e.output !== e.syncedOutput;
/** An HTTP/TCP definition as one comparable string (null for a TTL check). */
export const runKey = (e: ShardCheck | undefined) => JSON.stringify(e?.run ?? null);

const ENTRY_FIELDS = ['checkId', 'owner', 'ttl', 'outputMaxSize', 'status', 'output', 'syncedStatus', 'syncedOutput'] as const;
export const sameEntry = (a: ShardEntry, b: ShardEntry) => ENTRY_FIELDS.every((f) => a[f] === b[f]) && runKey(a) === runKey(b);

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
