// Optional KV replication from the primary datacenter (what people run consul-replicate for): each
// declared secondary's object pulls the primary's entries under the configured prefixes on its alarm
// and mirrors them in one write. The worker validates FEDERATION at start-up; the object trusts it.
import type { KvEntry } from '../../worker/consul/kv';
import type { Clock } from '../engine/clock';
import type { Tx } from '../engine/indexes';
import { deleteKv, getKv, listKvKeys, putKv } from './table';
import type { Timers } from '../engine/timers';

export const REPLICATION_TIMER = 'replicate:';
export const DEFAULT_REPLICATION_INTERVAL_MS = 5_000;
/** How long KV reads in a freshly woken secondary wait for its first pull. */
const INITIAL_PULL_WAIT_MS = 1000;

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

/** What a replica needs from its object: timers, the writer, and the primary's entries under a prefix. */
export interface ReplicaHost {
  timers: Timers;
  clock: Clock;
  write(fn: (tx: Tx) => void): void;
  primaryList(primary: string, prefix: string): Promise<KvEntry[]>;
}

/**
 * A datacenter object's side of replication: with a plan, it pulls from the primary on its alarm, at once
 * after waking and then every `intervalMs`, and holds KV reads until that first pull is in (`caughtUp`).
 */
export class Replica {
  private pulledOnce: boolean;
  private markPulled!: () => void;
  private readonly firstPull = new Promise<void>((resolve) => (this.markPulled = resolve));

  constructor(
    private readonly plan: ReplicationPlan | null,
    private readonly host: ReplicaHost,
  ) {
    this.pulledOnce = !plan;
    if (plan) host.timers.set(REPLICATION_TIMER, host.clock.now());
  }

  /** One pull from the primary; the next is scheduled first, so a failed pull is simply retried. */
  async pull(): Promise<void> {
    const plan = this.plan;
    if (!plan) return;
    this.host.timers.set(REPLICATION_TIMER, this.host.clock.now() + plan.intervalMs);
    try {
      for (const prefix of plan.prefixes) {
        const value = await this.host.primaryList(plan.primary, prefix);
        this.host.write((tx) => mirror(tx, prefix, value));
      }
    } finally {
      this.pulledOnce = true;
      this.markPulled();
    }
  }

  /** Resolves once a freshly woken secondary has pulled from the primary, or after INITIAL_PULL_WAIT_MS. */
  caughtUp(): Promise<unknown> | undefined {
    if (this.pulledOnce) return undefined;
    return Promise.race([this.firstPull, scheduler.wait(INITIAL_PULL_WAIT_MS)]);
  }
}
