// Sessions' contract (Consul's api/session.go and structs.Session): the create body as clients send it,
// and the session object every read returns.
import { z } from 'zod';
import { parseGoDuration } from './duration';

export const SESSION_TTL_MIN_MS = 10_000;
export const SESSION_TTL_MAX_MS = 24 * 3600_000;
export const DEFAULT_LOCK_DELAY_MS = 15_000;
/** Lock delays above a minute are applied as a minute (Consul's maxLockDelay). */
export const MAX_LOCK_DELAY_MS = 60_000;
export const SESSION_BEHAVIORS = ['release', 'delete'] as const;
export type SessionBehavior = (typeof SESSION_BEHAVIORS)[number];

/** `LockDelay`: a Go duration string, or nanoseconds where numbers below 1000 mean seconds (FixupLockDelay). */
const LockDelaySchema = z.union([z.string(), z.number()]).transform((value, ctx) => {
  if (typeof value === 'number') return value < 1000 ? value * 1000 : value / 1e6;
  const ms = parseGoDuration(value);
  if (ms === undefined) {
    ctx.addIssue({ code: 'custom', message: `time: invalid duration "${value}"` });
    return z.NEVER;
  }
  return ms;
});

export const ServiceCheckRefSchema = z.object({ ID: z.string(), Namespace: z.string().optional() });
export type ServiceCheckRef = z.infer<typeof ServiceCheckRefSchema>;

/** The body of `PUT /v1/session/create`; python-consul and Patroni send the keys in lower case. */
export const SessionCreateSchema = z.object({
  Name: z.string().optional(),
  Node: z.string().optional(),
  LockDelay: LockDelaySchema.optional(),
  Behavior: z.string().optional(),
  TTL: z.string().optional(),
  /** Deprecated spelling of NodeChecks; an explicit empty list means "no checks". */
  Checks: z.array(z.string()).optional(),
  NodeChecks: z.array(z.string()).optional(),
  ServiceChecks: z.array(ServiceCheckRefSchema).optional(),
});
export type SessionCreateBody = z.infer<typeof SessionCreateSchema>;

/** A validated create request as the Datacenter object takes it. */
export interface SessionCreateRequest {
  Name: string;
  /** Empty: the agent's own node. */
  Node: string;
  LockDelayMs: number;
  Behavior: SessionBehavior;
  TTL: string;
  TTLMs: number;
  NodeChecks: string[];
  ServiceChecks: ServiceCheckRef[] | null;
}

/** A session as `/v1/session/*` returns it (`LockDelay` in nanoseconds, `TTL` as given). */
export interface Session {
  ID: string;
  Name: string;
  Node: string;
  LockDelay: number;
  Behavior: SessionBehavior;
  TTL: string;
  NodeChecks: string[];
  ServiceChecks: ServiceCheckRef[] | null;
  CreateIndex: number;
  ModifyIndex: number;
}
