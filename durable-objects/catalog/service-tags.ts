// `/v1/catalog/services` without a filter: service name → tags, kept per service and refreshed only for the
// services a write names (tx.services), so a read costs the number of services, not of instances (Consul's
// servicesTxn walks every instance). Tags keep the order the fold over instances gave: first seen, walking
// instances by (name, node, service ID). Built from the table on the first read and after a restore.
import type { ServiceDefinition } from '../../worker/consul/service';
import { TABLE_SERVICES, type Tx } from '../engine/indexes';

export interface ServiceTagsHost {
  sql: SqlStorage;
  /** Bumped by a snapshot restore, which refills the table without naming services. */
  generation: () => number;
}

type Row = { service_name: string; body: string };
/** One group per name as SQLite's NOCASE sees it: each spelling (as registered) with its tags, first seen first. */
type Group = [string, string[]][];

/** SQLite's NOCASE: ASCII letters folded, everything else compared as is. */
const fold = (name: string) => name.replace(/[A-Z]+/g, (s) => s.toLowerCase());

/** SQLite's order of folded text: UTF-8 bytes, which is code point order (not JS's UTF-16 units). */
function byCodePoint(a: string, b: string): number {
  for (let i = 0, j = 0; i < a.length && j < b.length; ) {
    const [x, y] = [a.codePointAt(i)!, b.codePointAt(j)!];
    if (x !== y) return x - y;
    i += x > 0xffff ? 2 : 1;
    j += y > 0xffff ? 2 : 1;
  }
  return [...a].length - [...b].length;
}

function groupOf(rows: Row[]): Group {
  const group: Group = [];
  for (const row of rows) {
    let entry = group.find(([name]) => name === row.service_name);
    if (!entry) group.push((entry = [row.service_name, []]));
    for (const tag of (JSON.parse(row.body) as ServiceDefinition).Tags ?? []) if (!entry[1].includes(tag)) entry[1].push(tag);
  }
  return group;
}

export class ServiceTags {
  private groups: Map<string, Group> | null = null;
  private builtAt = -1;
  private answer: Record<string, string[]> | null = null;
  /** Full builds from the table (tests: a write refreshes one service, not all). */
  builds = 0;

  constructor(private readonly host: ServiceTagsHost) {}

  /** The write hook: refresh the services the write named; a services write naming none (a restore) rebuilds. */
  committed(tx: Tx): void {
    if (!this.groups || !tx.touched.has(TABLE_SERVICES)) return;
    if (!tx.services) return void (this.groups = null);
    for (const name of tx.services) this.refresh(name);
    this.answer = null;
  }

  /** Service name → tags, as the fold over every instance gives it. */
  services(): Record<string, string[]> {
    const generation = this.host.generation();
    if (!this.groups || this.builtAt !== generation) this.build(generation);
    if (this.answer) return this.answer;
    const answer: Record<string, string[]> = {};
    for (const key of [...this.groups!.keys()].sort(byCodePoint)) for (const [name, tags] of this.groups!.get(key)!) answer[name] = tags;
    return (this.answer = answer);
  }

  private refresh(name: string): void {
    const rows = this.host.sql.exec<Row>('SELECT service_name, body FROM services WHERE service_name = ? ORDER BY node, service_id', name).toArray();
    const key = fold(name);
    if (rows.length) this.groups!.set(key, groupOf(rows));
    else this.groups!.delete(key);
  }

  private build(generation: number): void {
    const groups = new Map<string, Row[]>();
    for (const row of this.host.sql.exec<Row>('SELECT service_name, body FROM services ORDER BY service_name, node, service_id')) {
      const key = fold(row.service_name);
      const rows = groups.get(key);
      if (rows) rows.push(row);
      else groups.set(key, [row]);
    }
    this.groups = new Map([...groups].map(([key, rows]) => [key, groupOf(rows)]));
    this.builtAt = generation;
    this.answer = null;
    this.builds++;
  }
}
