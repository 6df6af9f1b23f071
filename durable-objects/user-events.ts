// User events (Consul's agent/user_event.go and EventList): the newest USER_EVENT_BUFFER events fired in
// this datacenter, oldest first. Events are gossip in Consul and take no raft index; the ring is in
// SQLite only so that an object evicted from memory while idle still lists what was fired.
import { eventListIndex, USER_EVENT_BUFFER, type UserEvent, type UserEventFire } from '../worker/consul/event';
import { blockUntil, type Watches } from './engine/watches';

/** What a parked list waits on: a watch row of its own, as events move no index row. */
const USER_EVENTS_ROW = 'user-events';

type UserEventRow = {
  ltime: number; id: string; name: string; payload: ArrayBuffer | null; node_filter: string; service_filter: string; tag_filter: string;
};

const toUserEvent = (row: UserEventRow): UserEvent => ({
  ID: row.id,
  Name: row.name,
  Payload: row.payload ? Buffer.from(row.payload).toString('base64') : null,
  NodeFilter: row.node_filter,
  ServiceFilter: row.service_filter,
  TagFilter: row.tag_filter,
  Version: 1,
  LTime: row.ltime,
});

/** Stores one event with the next Lamport time, drops what falls out of the ring, wakes parked lists. Answers as Consul's fire does (LTime 0). */
export function fireUserEvent(sql: SqlStorage, watches: Watches, fire: UserEventFire): UserEvent {
  const row = {
    id: crypto.randomUUID(),
    name: fire.Name,
    payload: fire.payload,
    node_filter: fire.NodeFilter,
    service_filter: fire.ServiceFilter,
    tag_filter: fire.TagFilter,
  };
  const { ltime } = sql.exec<{ ltime: number }>(
    `INSERT INTO user_events (ltime, id, name, payload, node_filter, service_filter, tag_filter)
     VALUES ((SELECT COALESCE(MAX(ltime), 0) + 1 FROM user_events), ?, ?, ?, ?, ?, ?) RETURNING ltime`,
    row.id, row.name, row.payload, row.node_filter, row.service_filter, row.tag_filter,
  ).one();
  sql.exec('DELETE FROM user_events WHERE ltime <= ?', ltime - USER_EVENT_BUFFER);
  watches.notify([USER_EVENTS_ROW]);
  return { ...toUserEvent({ ...row, ltime }), LTime: 0 };
}

const readList = (sql: SqlStorage, name: string) => {
  const rows = name
    ? sql.exec<UserEventRow>('SELECT * FROM user_events WHERE name = ? ORDER BY ltime', name)
    : sql.exec<UserEventRow>('SELECT * FROM user_events ORDER BY ltime');
  const value = rows.toArray().map(toUserEvent);
  return { index: eventListIndex(value), value };
};

/**
 * The kept events (only those named `name` when it is set). The index is opaque, not increasing, so a
 * blocking list waits for it to differ from `minIndex` rather than to pass it.
 */
export function listUserEvents(sql: SqlStorage, watches: Watches, name: string, minIndex: string, waitMs: number) {
  return blockUntil(watches, [USER_EVENTS_ROW], waitMs, () => readList(sql, name), (result) => minIndex === '0' || result.index !== minIndex);
}
