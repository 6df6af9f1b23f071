// Lock-delay windows: after a session holding a key is invalidated, nobody may acquire the key for the
// session's LockDelay. Kept in memory only, as Consul's state store keeps them (kvs.go KVSLockDelay).

export class LockDelays {
  private readonly until = new Map<string, number>();

  /** Whether `key` may not be acquired at `now`. */
  blocks(key: string, now: number): boolean {
    const until = this.until.get(key);
    if (until === undefined) return false;
    if (until > now) return true;
    this.until.delete(key);
    return false;
  }

  /** Opens the windows a committed write recorded. */
  apply(windows: Map<string, number>): void {
    for (const [key, until] of windows) {
      if (until > (this.until.get(key) ?? 0)) this.until.set(key, until);
    }
  }
}
