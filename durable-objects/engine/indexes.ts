// The datacenter's raft-style index and its index rows (tables, `service.<name>`, `node.<name>`).
// Every write takes the next index; rows touched by the write move to it. Mirrors Consul's
// state_store.go IndexEntry / maxIndexTxn.

export const TABLE_NODES = 'nodes';
export const TABLE_SERVICES = 'services';
export const TABLE_CHECKS = 'checks';
export const TABLE_PREPARED_QUERIES = 'prepared-queries';
export const TABLE_KVS = 'kvs';
export const TABLE_TOMBSTONES = 'tombstones';
export const TABLE_SESSIONS = 'sessions';
export const TABLE_ACL_TOKENS = 'acl-tokens';
export const TABLE_ACL_POLICIES = 'acl-policies';
export const TABLE_ACL_ROLES = 'acl-roles';
export const serviceRow = (name: string) => `service.${name.toLowerCase()}`;
export const nodeRow = (name: string) => `node.${name.toLowerCase()}`;
/** Watch rows for KV reads (memory only, never persisted): one key, or every key under a prefix. */
export const KV_KEY_ROW = 'kv:';
export const KV_PREFIX_ROW = 'kvprefix:';
export const kvKeyRow = (key: string) => KV_KEY_ROW + key;
export const kvPrefixRow = (prefix: string) => KV_PREFIX_ROW + prefix;
export const RAFT_ROW = 'raft';
const ROWS_PER_STATEMENT = 50;

/** One write in progress: the index it stamps and the rows it touched. */
export interface Tx {
  sql: SqlStorage;
  index: number;
  now: number;
  touched: Set<string>;
  /** KV keys written or deleted: wakes the watchers of those keys and of every prefix above them. */
  changedKeys: Set<string>;
  /** Lock-delay windows (key → until, ms) the write opens; they take effect once it commits. */
  lockDelays: Map<string, number>;
  /** Service names, as registered, whose instances the write added, changed or removed (catalog/service-tags.ts). */
  services?: Set<string>;
}

export class Indexes {
  private readonly rows = new Map<string, number>();

  constructor(private readonly sql: SqlStorage) {
    for (const r of sql.exec<{ name: string; value: number }>('SELECT name, value FROM index_rows')) {
      this.rows.set(r.name, r.value);
    }
  }

  get(name: string): number {
    return this.rows.get(name) ?? 0;
  }

  /** Every index row's name (a snapshot restore moves them all). */
  names(): string[] {
    return [...this.rows.keys()];
  }

  max(...names: string[]): number {
    return Math.max(0, ...names.map((n) => this.get(n)));
  }

  /** The index of the newest write, or 1 before any: Consul never reports 0. */
  current(): number {
    return Math.max(1, this.get(RAFT_ROW));
  }

  begin(now: number): Tx {
    return { sql: this.sql, index: this.get(RAFT_ROW) + 1, now, touched: new Set(), changedKeys: new Set(), lockDelays: new Map() };
  }

  /** Persists the touched rows at the write's index; a write that touched nothing takes no index. */
  commit(tx: Tx): void {
    if (tx.touched.size === 0) return;
    // Few statements, many rows each: Durable Objects bind at most 100 parameters per statement.
    const names = [...tx.touched, RAFT_ROW];
    for (let i = 0; i < names.length; i += ROWS_PER_STATEMENT) {
      const chunk = names.slice(i, i + ROWS_PER_STATEMENT);
      tx.sql.exec(
        `INSERT INTO index_rows (name, value) VALUES ${chunk.map(() => '(?, ?)').join(', ')} ON CONFLICT (name) DO UPDATE SET value = excluded.value`,
        ...chunk.flatMap((name) => [name, tx.index]),
      );
    }
  }

  /** Called once the transaction is durable: only then does memory move. */
  publish(tx: Tx): void {
    if (tx.touched.size === 0) return;
    for (const name of tx.touched) this.rows.set(name, tx.index);
    this.rows.set(RAFT_ROW, tx.index);
  }
}
