// Session reads (Consul's session.go endpoints), each on the sessions table's index row.
import type { Session } from '../../worker/consul/session';
import { TABLE_SESSIONS } from '../engine/indexes';
import { indexed, type Query, type ReadContext } from '../engine/reads';
import { getSession, listNodeSessions, listSessions, toSession } from './table';

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
