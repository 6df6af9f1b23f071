// An agent shard's reports to the Datacenter (`ShardReporter`, a part of AgentShard; shards/report.ts is the
// Datacenter's side): a status change at once, an output-only change after check_update_interval, a failed
// report again a second later. What the catalog has heard is kept in the entry's synced* fields.
import type { HealthStatus } from '../../worker/consul/common';
import type { Clock } from '../engine/clock';
import type { Timers } from '../engine/timers';
import type { ShardUpdate } from './shard-of';
import { checkKey, entryKind, saveEntry, unsynced, type ShardEntry } from './shard-store';

export const RETRY_TIMER = 'retry:';
const RETRY_MS = 1000;
export const syncTimer = (key: string) => `sync:${key}`;

export interface ShardReporterHost {
  sql: SqlStorage;
  timers: Timers;
  clock: Clock;
  stats: { reports: number };
  entries: ReadonlyMap<string, ShardEntry>;
  /** check_update_interval in ms (0: every change at once). */
  interval: number;
  /** The version of a check's last sync from the Datacenter (see AgentShard.own). */
  version(key: string): number | undefined;
  /** The Datacenter's agentShardReport; `label` names the shard in logs. */
  send(updates: ShardUpdate[]): Promise<{ dropped: string[] }>;
  label: string;
  drop(key: string): void;
}

export class ShardReporter {
  constructor(private readonly host: ShardReporterHost) {}

  /**
   * A new status or output: a status change goes to the catalog at once, an output-only change later.
   * Undefined when nothing changed or nothing is sent now, so the common heartbeat awaits nothing.
   */
  record(key: string, entry: ShardEntry, status: HealthStatus, output: string): Promise<void> | undefined {
    if (entry.status === status && entry.output === output) return undefined;
    entry.status = status;
    entry.output = output;
    saveEntry(this.host.sql, entry);
    if (entry.status !== entry.syncedStatus || this.host.interval === 0) return this.report([key]);
    this.later(key);
    return undefined;
  }

  /** Sends the current state of `keys` to the Datacenter; on failure, tries again shortly. */
  async report(keys: string[]): Promise<void> {
    const { entries, timers, clock } = this.host;
    const sent = keys.flatMap((key) => {
      const e = entries.get(key);
      return e ? [{ key, version: this.host.version(key), update: { checkId: e.checkId, status: e.status, output: e.output, kind: entryKind(e) } }] : [];
    });
    if (!sent.length) return;
    this.host.stats.reports++;
    let dropped: string[];
    try {
      ({ dropped } = await this.host.send(sent.map((s) => s.update)));
    } catch (err) {
      console.error(`agent shard ${this.host.label}: report failed, retrying:`, err);
      timers.set(RETRY_TIMER, clock.now() + RETRY_MS);
      return;
    }
    for (const { key, update } of sent) {
      const entry = entries.get(key);
      if (entry) {
        entry.syncedStatus = update.status;
        entry.syncedOutput = update.output;
        saveEntry(this.host.sql, entry);
      }
      // Output that changed while the report was on its way still gets its own sync.
      if (!entry || !unsynced(entry)) timers.delete(syncTimer(key));
      else this.later(key);
    }
    const versionOf = new Map(sent.map((s) => [s.key, s.version]));
    for (const id of dropped) {
      const key = checkKey(id);
      // The Datacenter sent this check again while the report was on its way: that sync is newer.
      if (this.host.version(key) === versionOf.get(key)) this.host.drop(key);
    }
  }

  /** At start-up: whatever the catalog has not yet heard is sent again (a status at once). */
  resume(): void {
    const now = this.host.clock.now();
    for (const [key, entry] of this.host.entries) {
      if (entry.status !== entry.syncedStatus) this.host.timers.set(RETRY_TIMER, now);
      else if (entry.output !== entry.syncedOutput) this.host.timers.set(syncTimer(key), now + this.stagger());
    }
  }

  /** An output-only sync for `key`, unless one is already due. */
  private later(key: string): void {
    const { timers, clock } = this.host;
    if (timers.get(syncTimer(key)) === undefined) timers.set(syncTimer(key), clock.now() + this.stagger());
  }

  /** Consul defers an output-only sync by half the interval plus a random stagger; here within [interval/2, interval]. */
  private stagger(): number {
    return this.host.interval / 2 + Math.random() * (this.host.interval / 2);
  }
}
