// Sessions as a part: create, destroy and renew; each TTL on a timer (Consul arms twice the TTL); and
// the write hook that ends every session whose node or check went away or critical in the same write.
import type { Session, SessionCreateRequest } from '../../worker/consul/session';
import type { Clock } from '../engine/clock';
import { TABLE_CHECKS, TABLE_NODES, TABLE_SESSIONS, type Indexes, type Tx } from '../engine/indexes';
import type { Metrics } from '../engine/metrics';
import { ok, refuse, type Outcome } from '../engine/outcome';
import type { Timers } from '../engine/timers';
import type { Writer } from '../engine/write-path';
import { createSession, destroySession, getSession, listSessions, toSession, unhealthySessions } from './table';

export const SESSION_TIMER = 'session:';

export interface SessionsHost {
  sql: SqlStorage;
  indexes: Indexes;
  writer: Writer;
  timers: Timers;
  clock: Clock;
  metrics: Metrics;
  /** The agent node, for sessions created without one. */
  node: string;
}

export class Sessions {
  constructor(private readonly host: SessionsHost) {}

  /** The write hook: a check gone critical or missing, or a node gone, ends the sessions tied to it (no query while no session was ever created). */
  inTx(tx: Tx): void {
    if (this.host.indexes.get(TABLE_SESSIONS) && (tx.touched.has(TABLE_CHECKS) || tx.touched.has(TABLE_NODES))) {
      for (const id of unhealthySessions(tx.sql)) destroySession(tx, id);
    }
  }

  /** Like a new Consul leader, give every session a full TTL again (after a restart or a restore). */
  start(): void {
    for (const row of listSessions(this.host.sql)) this.schedule(row.id, row.ttl_ms);
  }

  /** Drops every session's timer (a snapshot restore replaces them). */
  forget(ids: string[]): void {
    for (const id of ids) this.host.timers.delete(SESSION_TIMER + id);
  }

  ids(): string[] {
    return listSessions(this.host.sql).map((r) => r.id);
  }

  async create(req: SessionCreateRequest): Promise<Outcome<string>> {
    const id = crypto.randomUUID();
    const outcome = await this.host.metrics.timed('consul.session.apply', this.host.writer.writeBatched((tx) => createSession(tx, id, { ...req, Node: req.Node || this.host.node })));
    if (!outcome.ok) return outcome;
    this.schedule(id, req.TTLMs);
    return ok(id);
  }

  async destroy(id: string): Promise<Outcome<true>> {
    await this.host.metrics.timed('consul.session.apply', this.host.writer.writeBatched((tx) => destroySession(tx, id)));
    this.host.timers.delete(SESSION_TIMER + id.toLowerCase());
    return ok(true);
  }

  /** Restarts the session's TTL; a renewal writes nothing, as in Consul. */
  renew(id: string): Outcome<Session[]> {
    const row = getSession(this.host.sql, id);
    if (!row) return refuse(404, `Session id '${id}' not found`);
    this.schedule(row.id, row.ttl_ms);
    return ok([toSession(row)]);
  }

  /** The timer `session:<id>` fired. */
  expire(id: string): void {
    const started = Date.now();
    this.host.writer.write((tx) => destroySession(tx, id));
    this.host.metrics.sample('consul.session_ttl.invalidate', Date.now() - started);
  }

  /** Consul arms a session's timer for twice its TTL, as grace for clients renewing late. */
  private schedule(id: string, ttlMs: number): void {
    if (ttlMs > 0) this.host.timers.set(SESSION_TIMER + id, this.host.clock.now() + 2 * ttlMs);
  }
}
