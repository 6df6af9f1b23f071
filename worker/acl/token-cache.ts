// A worker isolate's memory of resolved secrets: each entry lives at most `ttlMs` (and never past its
// token's expiry), so a token deleted or expired anywhere stops working in every isolate within that
// bound (docs/acl.md). Bounded in size; the oldest entry goes first.
export const TOKEN_CACHE_MAX = 1000;

export class TokenCache<T> {
  private readonly entries = new Map<string, { value: T; until: number }>();

  constructor(private readonly max = TOKEN_CACHE_MAX) {}

  get(secret: string, now: number): T | undefined {
    const entry = this.entries.get(secret);
    if (!entry) return undefined;
    if (entry.until <= now) {
      this.entries.delete(secret);
      return undefined;
    }
    return entry.value;
  }

  set(secret: string, value: T, until: number): void {
    this.entries.delete(secret);
    if (this.entries.size >= this.max) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(secret, { value, until });
  }

  /** Forgets every entry (a token, policy or role written in this isolate). */
  clear(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}
