// The datacenter's raft-style index and its index rows (tables, `service.<name>`, `node.<name>`).
// Every write takes the next index; rows touched by the write move to it. Mirrors Consul's
// state_store.go IndexEntry / maxIndexTxn.

export const TABLE_NODES = 'nodes';
export const TABLE_SERVICES = 'services';
export const TABLE_CHECKS = 'checks';
export const serviceRow = (name: string) => `service.${name.toLowerCase()}`;
export const nodeRow = (name: string) => `node.${name.toLowerCase()}`;
const RAFT_ROW = 'raft';

/** One write in progress: the index it stamps and the rows it touched. */
export interface Tx {
  sql: SqlStorage;
  index: number;
  now: number;
  touched: Set<string>;
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

  max(...names: string[]): number {
    return Math.max(0, ...names.map((n) => this.get(n)));
  }

  /** The index of the newest write, or 1 before any: Consul never reports 0. */
  current(): number {
    return Math.max(1, this.get(RAFT_ROW));
  }

  begin(now: number): Tx {
    return { sql: this.sql, index: this.get(RAFT_ROW) + 1, now, touched: new Set() };
  }

  /** Persists the touched rows at the write's index; a write that touched nothing takes no index. */
  commit(tx: Tx): void {
    if (tx.touched.size === 0) return;
    for (const name of [...tx.touched, RAFT_ROW]) {
      tx.sql.exec('INSERT INTO index_rows (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value', name, tx.index);
    }
  }

  /** Called once the transaction is durable: only then does memory move. */
  publish(tx: Tx): void {
    if (tx.touched.size === 0) return;
    for (const name of tx.touched) this.rows.set(name, tx.index);
    this.rows.set(RAFT_ROW, tx.index);
  }
}
