// Consul's user events (agent/user_event.go, agent/event_endpoint.go): the UserEvent shape, Serf's size
// limit and the opaque list index Consul derives from the newest event's ID.
import { goRegexpProblem } from './go-regexp';

export interface UserEvent {
  ID: string;
  Name: string;
  /** base64, or null without a payload */
  Payload: string | null;
  NodeFilter: string;
  ServiceFilter: string;
  TagFilter: string;
  Version: 1;
  /** Lamport time: 0 in the fire answer (Consul assigns it while gossiping), then increasing per datacenter. */
  LTime: number;
}

export type UserEventFire = Pick<UserEvent, 'Name' | 'NodeFilter' | 'ServiceFilter' | 'TagFilter'> & {
  /** null when the request had no body */
  payload: ArrayBuffer | null;
};

/** Serf's default UserEventSizeLimit; Beacon counts the name plus the payload, as Serf does before encoding. */
export const USER_EVENT_SIZE_LIMIT = 512;
/** Each Consul agent keeps the newest 256 events it has seen. */
export const USER_EVENT_BUFFER = 256;

/** The reason Consul refuses an event with, or undefined when it is fine. */
export function userEventProblem(event: UserEventFire): string | undefined {
  if (event.TagFilter && !event.ServiceFilter) return 'Cannot provide tag filter without service filter';
  for (const [label, pattern] of [['node', event.NodeFilter], ['service', event.ServiceFilter], ['tag', event.TagFilter]] as const) {
    const problem = pattern ? goRegexpProblem(pattern) : undefined;
    if (problem) return `Invalid ${label} filter: ${problem}`;
  }
  const size = new TextEncoder().encode(event.Name).length + (event.payload?.byteLength ?? 0);
  if (size > USER_EVENT_SIZE_LIMIT) return `user event exceeds configured limit of ${USER_EVENT_SIZE_LIMIT} bytes before encoding`;
  return undefined;
}

/**
 * The `X-Consul-Index` of an event list: the newest event's UUID as two 64-bit halves XORed together
 * (Consul's uuidToUint64), or 1 for an empty list. Go's event watch compares it with `api.IDToIndex`,
 * so it must be exact: it is a decimal string, never a JS number.
 */
export function eventListIndex(events: readonly Pick<UserEvent, 'ID'>[]): string {
  const last = events.at(-1);
  if (!last) return '1';
  const hex = last.ID.replaceAll('-', '');
  return (BigInt(`0x${hex.slice(0, 16)}`) ^ BigInt(`0x${hex.slice(16)}`)).toString();
}
