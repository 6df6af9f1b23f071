// The per-isolate store of cached reads: one entry per canonical read (key.ts), bounded in number, the
// least recently read dropped first. An entry holds the route's answer as bytes plus what the headers
// need (when it was fetched, when the object last confirmed it), and the readers waiting for a newer index.
import type { CacheKind } from './cacheable';
import type { Deferred } from './until';

/** A non-200 answer of the route, kept as data so every reader that joined the fetch gets its own copy. */
export interface Refusal {
  status: number;
  headers: [string, string][];
  body: ArrayBuffer;
}

export const MAX_ENTRIES = 512;

export interface Entry {
  readonly key: string;
  readonly kind: CacheKind;
  /** The route's answer: always a 200. */
  body: Uint8Array<ArrayBuffer>;
  /** The route's headers worth keeping (Content-Type, X-Consul-Index, X-Consul-Results-Filtered-By-ACLs…). */
  headers: [string, string][];
  /** `body` gzip-compressed (gzip.ts), once the refresh has made it; and the body being compressed now. */
  gzip?: Uint8Array<ArrayBuffer>;
  gzipping?: Uint8Array<ArrayBuffer>;
  /** A fast-path hit's headers but Age and X-Consul-LastContact, built once per change (fast-path.ts). */
  hitHeaders?: { identity: Headers; gzip: Headers };
  index: number;
  /** When the value was fetched (Date.now()): simple types' Age. */
  fetchedAt: number;
  /** When the object last answered for this entry, changed or not: X-Consul-LastContact. */
  confirmedAt: number;
  /** First failure of the background refresh since its last answer: background types' Age. */
  lostContactAt?: number;
  lastRead: number;
  /** A background refresh is parked on the object for this entry; `refreshDeadline` is when it must have answered. */
  refreshing: boolean;
  /** Counts refresh loops started, so a loop presumed lost and replaced never clears its successor's state. */
  refreshRun: number;
  refreshDeadline: number;
  /** A fetch in flight (misses, simple types): later readers join it rather than fetching again. */
  fetching?: Promise<Refusal | undefined>;
  /** Settled by the refresh (in its own request's context) when the index moves or the refresh stops. */
  change?: Deferred;
  /** Readers waiting on `change` right now (`?cached&index=`): the entry is in use while they wait. */
  watching: number;
}

const entries = new Map<string, Entry>();

export function lookup(key: string): Entry | undefined {
  return entries.get(key);
}

/** Marks `entry` read now (and most recently used). */
export function touch(entry: Entry, now = Date.now()): void {
  entry.lastRead = now;
  entries.delete(entry.key);
  entries.set(entry.key, entry);
}

export function remember(entry: Entry): void {
  const old = entries.get(entry.key);
  if (old && old !== entry) forget(old);
  entries.set(entry.key, entry);
  while (entries.size > MAX_ENTRIES) forget(entries.values().next().value!);
}

/** Drops `entry` (if still stored); its refresh stops at its next answer. */
export function forget(entry: Entry): void {
  if (entries.get(entry.key) === entry) entries.delete(entry.key);
}

export function isStored(entry: Entry): boolean {
  return entries.get(entry.key) === entry;
}

/** A new entry, not yet fetched (`fetchedAt` 0). */
export function newEntry(key: string, kind: CacheKind, now = Date.now()): Entry {
  return { key, kind, body: new Uint8Array(), headers: [], index: 0, fetchedAt: 0, confirmedAt: now, lastRead: now, refreshing: false, refreshRun: 0, refreshDeadline: 0, watching: 0 };
}

/** For tests and the bench's figures: how many entries this isolate holds. */
export const entryCount = () => entries.size;
