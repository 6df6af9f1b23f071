// The one write path: a SQLite transaction that rolls back on a refusal the write returns, index rows
// persisted in it and published to memory only once it is durable, then the wake-ups. Client writes are
// grouped per macrotask (group commit). Parts join every write through hooks (sessions end with their
// check, agent caches drop, lock delays open) instead of sharing state with the object.
import type { Clock } from './clock';
import type { Indexes, Tx } from './indexes';
import type { Metrics } from './metrics';
import type { Outcome } from './outcome';
import type { Watches } from './watches';

export interface WriteHost {
  transactionSync<T>(fn: () => T): T;
  indexes: Indexes;
  clock: Clock;
  watches: Watches;
  metrics: Metrics;
  stats: { writes: number; writeBatches: number };
}

/** A part's say in every write: `inTx` may write more before the commit; `committed` runs once it is durable. */
export interface WriteHook {
  inTx?(tx: Tx): void;
  committed?(tx: Tx): void;
}

/** How parts write: at once, or batched with the other client writes of this macrotask. */
export interface Writer {
  write<T>(fn: (tx: Tx) => T): T;
  writeBatched<T>(fn: (tx: Tx) => T): Promise<T>;
}

class Rollback extends Error {
  constructor(readonly outcome: Outcome<never>) {
    super(outcome.ok ? '' : outcome.reason);
  }
}

export class WritePath implements Writer {
  private pendingWrites: (() => void)[] | null = null;
  private readonly hooks: WriteHook[] = [];

  constructor(private readonly host: WriteHost) {}

  hook(hook: WriteHook): void {
    this.hooks.push(hook);
  }

  /** Runs `fn` in one SQLite transaction; a refusal it returns rolls everything back. */
  write<T>(fn: (tx: Tx) => T): T {
    const { indexes } = this.host;
    const tx = indexes.begin(this.host.clock.now());
    let result: T;
    try {
      result = this.host.transactionSync(() => {
        const r = fn(tx);
        if (r && typeof r === 'object' && 'ok' in r && r.ok === false) throw new Rollback(r as unknown as Outcome<never>);
        for (const hook of this.hooks) hook.inTx?.(tx);
        indexes.commit(tx);
        return r;
      });
    } catch (err) {
      if (err instanceof Rollback) return err.outcome as T;
      throw err;
    }
    if (tx.touched.size) {
      this.host.stats.writes++;
      indexes.publish(tx);
      for (const hook of this.hooks) hook.committed?.(tx);
      this.host.watches.notify(tx.touched, tx.changedKeys);
    }
    return result;
  }

  /**
   * `write`, but applied together with the other writes that arrive before the next macrotask: the object
   * commits to disk once per event, so a batch costs one commit instead of one each (group commit). Every
   * write still takes its own index, and its answer still leaves only once the batch is durable. Used by the
   * writes clients send (registrations, KV, transactions, sessions); timers and heartbeats write at once.
   */
  writeBatched<T>(fn: (tx: Tx) => T): Promise<T> {
    this.host.metrics.incr('beacon.datacenter.requests', 1, { kind: 'write' });
    return new Promise<T>((resolve, reject) => {
      if (!this.pendingWrites) {
        this.pendingWrites = [];
        setTimeout(() => this.flush(), 0);
      }
      this.pendingWrites.push(() => {
        try {
          resolve(this.write(fn));
        } catch (err) {
          reject(err);
        }
      });
    });
  }

  private flush(): void {
    const writes = this.pendingWrites ?? [];
    this.pendingWrites = null;
    this.host.stats.writeBatches++;
    for (const apply of writes) apply();
  }
}
