// Deleted keys leave tombstones so a prefix's index never goes back (Consul's kvs tombstones); this
// part reaps those older than TOMBSTONE_TTL_MS on its own timer.
import type { Clock } from '../engine/clock';
import type { Timers } from '../engine/timers';
import { reapTombstones, TOMBSTONE_TTL_MS } from './table';

export const TOMBSTONE_TIMER = 'reap-tombstones:';

export class TombstoneReaper {
  constructor(private readonly host: { sql: SqlStorage; timers: Timers; clock: Clock }) {}

  start(): void {
    this.host.timers.set(TOMBSTONE_TIMER, this.host.clock.now() + TOMBSTONE_TTL_MS);
  }

  /** The timer fired: reap, and arm the next. */
  reap(): void {
    const now = this.host.clock.now();
    this.host.timers.set(TOMBSTONE_TIMER, now + TOMBSTONE_TTL_MS);
    reapTombstones(this.host.sql, now - TOMBSTONE_TTL_MS);
  }
}
