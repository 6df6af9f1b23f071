// A short-lived answer cache. Entries live `ttlMs` (at most 1 s) whatever their DNS TTL, so a
// registration, deregistration or health change shows within that time; concurrent misses share one fetch.
export class AnswerCache<V> {
  private readonly entries = new Map<string, { expires: number; value: V }>();
  private readonly pending = new Map<string, Promise<V>>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  get(key: string): V | undefined {
    const hit = this.entries.get(key);
    if (!hit) return undefined;
    if (hit.expires > this.now()) return hit.value;
    this.entries.delete(key);
    return undefined;
  }

  /** Stores until `expires` (a time from `now`), or for the cache's TTL. */
  set(key: string, value: V, expires = this.now() + this.ttlMs): void {
    if (this.ttlMs === 0) return;
    if (this.entries.size >= this.maxEntries) this.evict();
    this.entries.set(key, { expires, value });
  }

  /** The cached value, or one run of `load` shared by every caller until it settles; failures are not kept. */
  async fetch(key: string, load: () => Promise<V>, cacheable: (value: V) => boolean = () => true): Promise<{ value: V; expires: number }> {
    const hit = this.entries.get(key);
    if (hit && hit.expires > this.now()) return hit;
    let running = this.pending.get(key);
    if (!running) {
      running = load().finally(() => this.pending.delete(key));
      this.pending.set(key, running);
    }
    const started = this.now();
    const value = await running;
    // Expiry counts from before the load: the answer is never reused longer than ttlMs after it was asked for.
    const expires = started + this.ttlMs;
    if (cacheable(value)) this.set(key, value, expires);
    return { value, expires };
  }

  get size(): number {
    return this.entries.size;
  }

  private evict(): void {
    const now = this.now();
    for (const [key, entry] of this.entries) if (entry.expires <= now) this.entries.delete(key);
    // Still full (a flood of distinct names): start over rather than scan for the oldest.
    if (this.entries.size >= this.maxEntries) this.entries.clear();
  }
}
