// KV and session reads, each with the watch rows it depends on and the index Consul reports for it
// (kvs.go kvsGetTxn/kvsListTxn, session.go): a key's own ModifyIndex; a prefix's newest change,
// tombstones included; the table's index when nothing is there.
import type { KvEntry } from '../../worker/consul/kv';
import type { Session } from '../../worker/consul/session';
import { kvKeyRow, kvPrefixRow, TABLE_KVS, TABLE_SESSIONS, TABLE_TOMBSTONES } from '../engine/indexes';
import { indexed, type Query, type ReadContext } from '../catalog/reads';
import { getKv, listKv, listKvKeys, prefixIndex, toKvEntry } from './table';
import { getSession, listNodeSessions, listSessions, toSession } from '../sessions/table';

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

const sessionsQuery = (ctx: ReadContext, key: string, list: () => Session[]): Query<Session[]> => ({
  key,
  rows: [TABLE_SESSIONS],
  read: () => indexed(ctx.indexes.get(TABLE_SESSIONS), list()),
});

export const sessionGet = (ctx: ReadContext, id: string) =>
  sessionsQuery(ctx, `session.info:${id.toLowerCase()}`, () => {
    const row = getSession(ctx.sql, id);
    return row ? [toSession(row)] : [];
  });
export const sessionList = (ctx: ReadContext) => sessionsQuery(ctx, 'session.list', () => listSessions(ctx.sql).map(toSession));
export const sessionNodeSessions = (ctx: ReadContext, node: string) =>
  sessionsQuery(ctx, `session.node:${node.toLowerCase()}`, () => listNodeSessions(ctx.sql, node).map(toSession));
