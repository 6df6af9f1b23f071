// Blocking queries: requests parked on the index rows they read, woken only when one of those rows
// moves. Mirrors Consul's agent/blockingquery: run, compare, wait, rerun; a timeout returns current data.
import type { BlockingParams, Indexed } from '../../worker/consul/common';
import { KV_PREFIX_ROW, kvKeyRow, kvPrefixRow } from './indexes';

type Waiter = () => void;

export class Watches {
  private readonly waiters = new Map<string, Set<Waiter>>();
  /** Prefixes some KV list is parked on: a changed key wakes every one it starts with. */
  private readonly prefixes = new Set<string>();
  /** Parked requests woken by a write so far: a watcher on `a` must not be woken by `b`. */
  woken = 0;
  /** Requests parked right now (the metrics gauge beacon.blocking_queries.held). */
  held = 0;
  /** Snapshot restores so far: each answers every parked query (Consul's state-store AbandonCh). */
  abandoned = 0;

  /** Resolves when any of `rows` is notified, or after `timeoutMs`. */
  wait(rows: string[], timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      this.held++;
      let parked = true;
      const wake = () => {
        if (parked) this.held--;
        parked = false;
        clearTimeout(timer);
        for (const row of rows) this.forget(row, wake);
        resolve();
      };
      const timer = setTimeout(wake, timeoutMs);
      for (const row of rows) {
        let set = this.waiters.get(row);
        if (!set) this.waiters.set(row, (set = new Set()));
        set.add(wake);
        if (row.startsWith(KV_PREFIX_ROW)) this.prefixes.add(row.slice(KV_PREFIX_ROW.length));
      }
    });
  }

  notify(rows: Iterable<string>, changedKeys: Iterable<string> = []): void {
    const all = new Set(rows);
    for (const key of changedKeys) {
      all.add(kvKeyRow(key));
      for (const prefix of this.prefixes) if (key.startsWith(prefix)) all.add(kvPrefixRow(prefix));
    }
    const woken = new Set<Waiter>();
    for (const row of all) {
      const set = this.waiters.get(row);
      if (!set) continue;
      for (const w of set) woken.add(w);
      this.drop(row);
    }
    this.woken += woken.size;
    for (const wake of woken) wake();
  }

  /** The whole state was replaced: every parked request wakes, and blocking queries answer (see block). */
  abandon(): void {
    this.abandoned++;
    this.notify([...this.waiters.keys()]);
  }

  private forget(row: string, wake: Waiter): void {
    const set = this.waiters.get(row);
    set?.delete(wake);
    if (set?.size === 0) this.drop(row);
  }

  private drop(row: string): void {
    this.waiters.delete(row);
    if (row.startsWith(KV_PREFIX_ROW)) this.prefixes.delete(row.slice(KV_PREFIX_ROW.length));
  }

  /** How many requests are parked on `row` (for tests and stats). */
  parkedOn(row: string): number {
    return this.waiters.get(row)?.size ?? 0;
  }
}

/**
 * Runs `read` until `changed` accepts its result or `waitMs` is up, reading again each time one of `rows`
 * is notified: writes elsewhere never wake it.
 */
export async function blockUntil<T>(watches: Watches, rows: string[], waitMs: number, read: () => T, changed: (result: T) => boolean): Promise<T> {
  const deadline = Date.now() + waitMs;
  let result = read();
  while (!changed(result)) {
    const remaining = deadline - Date.now();
    if (remaining <= 0) break;
    await watches.wait(rows, remaining);
    result = read();
  }
  return result;
}

/** A blocking query on index rows: answers once its index passes `params.minIndex`, or when the wait ends. */
export function block<T>(watches: Watches, params: BlockingParams, rows: string[], read: () => Indexed<T>): Promise<Indexed<T>> {
  if (params.minIndex <= 0) return Promise.resolve(read());
  // After a restore an entry may report its saved, lower ModifyIndex: answer anyway, as Consul's
  // blockingquery does when the store is abandoned; clients reset an index that went backwards.
  const abandoned = watches.abandoned;
  return blockUntil(watches, rows, params.waitMs, read, (result) => result.index > params.minIndex || watches.abandoned !== abandoned);
}
