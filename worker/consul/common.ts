// Shapes shared by every Consul endpoint: health statuses, weights, string maps, and the Node object.
import { z } from 'zod';

export const HEALTH_STATUSES = ['passing', 'warning', 'critical'] as const;
/** A check's status as Consul reports it. */
export type HealthStatus = (typeof HEALTH_STATUSES)[number];
export const HealthStatusSchema = z.enum(HEALTH_STATUSES);

/** Any JSON value: what opaque objects (Proxy, Connect, check Definition) may hold. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
// Typed loosely on purpose: a recursive type here is too deep for the Durable Object RPC stub types.
export type JsonObject = { [key: string]: string | number | boolean | null | JsonObject | JsonObject[] | string[] };
export const JsonObjectSchema = z.record(z.string(), z.json());

/** Consul's IDs (node IDs, sessions, prepared queries) are UUIDs in the 8-4-4-4-12 hex form, any case. */
export const isUuid = (text: string) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(text);

const typeName = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);

/**
 * String-to-string metadata (node `Meta`, service `Meta`, tagged addresses): Go's map[string]string, where
 * any key is just a key. zod's record refuses an own `constructor` and drops `__proto__`, so this checks the
 * values itself and keeps the object JSON.parse made (its keys are own properties, `__proto__` included).
 */
export const StringMapSchema = z.custom<Record<string, string>>().superRefine((value, ctx) => {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    ctx.addIssue({ code: 'invalid_type', expected: 'record', input: value, message: `Invalid input: expected record, received ${typeName(value)}` });
    return;
  }
  for (const [key, v] of Object.entries(value)) {
    if (typeof v !== 'string') ctx.addIssue({ code: 'invalid_type', expected: 'string', input: v, path: [key], message: `Invalid input: expected string, received ${typeName(v)}` });
  }
});
export type StringMap = z.infer<typeof StringMapSchema>;

/** DNS SRV weights for an instance in passing or warning state. */
export const WeightsSchema = z.object({ Passing: z.number().int(), Warning: z.number().int() });
export type Weights = z.infer<typeof WeightsSchema>;
export const DEFAULT_WEIGHTS: Weights = { Passing: 1, Warning: 1 };

/** Every catalog object carries the raft indexes at which it was created and last changed. */
export interface RaftIndex {
  CreateIndex: number;
  ModifyIndex: number;
}

/** A catalog node (Consul's structs.Node). */
export interface Node extends RaftIndex {
  ID: string;
  Node: string;
  Address: string;
  Datacenter: string;
  TaggedAddresses: StringMap;
  Meta: StringMap;
}

/** The answer of a read that may block: the data and the index to send as `X-Consul-Index`. */
export interface Indexed<T> {
  index: number;
  value: T;
}

/** Where a blocking read should wait: `?index=` and the jittered, clamped `?wait=` in ms. */
export interface BlockingParams {
  minIndex: number;
  waitMs: number;
}
