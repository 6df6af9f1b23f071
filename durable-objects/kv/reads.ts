// KV reads, each with the watch rows it depends on and the index Consul reports for it
// (kvs.go kvsGetTxn/kvsListTxn): a key's own ModifyIndex; a prefix's newest change,
// tombstones included; the table's index when nothing is there.
import type { KvEntry } from '../../worker/consul/kv';
import { kvKeyRow, kvPrefixRow, TABLE_KVS, TABLE_TOMBSTONES } from '../engine/indexes';
import { indexed, type Query, type ReadContext } from '../engine/reads';
import { getKv, listKv, listKvKeys, prefixIndex, toKvEntry } from './table';

const kvTableIndex = (ctx: ReadContext) => ctx.indexes.max(TABLE_KVS, TABLE_TOMBSTONES);
const listIndex = (ctx: ReadContext, prefix: string) => (prefix ? prefixIndex(ctx.sql, prefix) : 0) || kvTableIndex(ctx);

/** One key; `null` (a 404) carries the table's index. */
export const kvsGet = (ctx: ReadContext, key: string): Query<KvEntry | null> => ({
  key: `kv.get:${key}`,
  rows: [kvKeyRow(key)],
  read: () => {
    const row = getKv(ctx.sql, key);
    return row ? indexed(row.modify_index, toKvEntry(row)) : indexed(kvTableIndex(ctx), null);
  },
});

export const kvsList = (ctx: ReadContext, prefix: string): Query<KvEntry[]> => ({
  key: `kv.list:${prefix}`,
  rows: [kvPrefixRow(prefix)],
  read: () => indexed(listIndex(ctx, prefix), listKv(ctx.sql, prefix).map((row) => toKvEntry(row))),
});

/** Key names under `prefix`; with a separator, each is cut just after the first one past the prefix. */
export const kvsListKeys = (ctx: ReadContext, prefix: string, separator: string): Query<string[]> => ({
  key: `kv.keys:${prefix}\u0000${separator}`,
  rows: [kvPrefixRow(prefix)],
  read: () => {
    const keys = new Set<string>();
    for (const key of listKvKeys(ctx.sql, prefix)) {
      const at = separator ? key.indexOf(separator, prefix.length) : -1;
      keys.add(at === -1 ? key : key.slice(0, at + separator.length));
    }
    return indexed(listIndex(ctx, prefix), [...keys]);
  },
});
