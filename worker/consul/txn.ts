// Transactions' contract (Consul's api/txn.go): the operations a `PUT /v1/txn` body holds, what each
// returns, and the errors of a transaction that rolled back.
import { z } from 'zod';
import { CatalogCheckSchema, CatalogServiceSchema } from './catalog';
import type { CheckSpec, HealthCheck } from './check';
import { StringMapSchema, type HealthStatus, type Node, type StringMap } from './common';
import type { DirEntry, KvEntry, KvOp } from './kv';
import type { NodeService, ServiceDefinition } from './service';
import type { Outcome } from '../../durable-objects/engine/outcome';

/** Current Consul's limit on operations per transaction (64 before 1.12). */
export const TXN_MAX_OPS = 128;

const KvTxnOpSchema = z.object({
  Verb: z.string(),
  Key: z.string().default(''),
  Value: z.string().nullable().optional(),
  /** Quoted by the route before parsing (worker/http/kv-json.ts), so a uint64 keeps every digit. */
  // zod runs a refine even after the regex failed: test the digits again before BigInt() can throw.
  Flags: z.string().regex(/^\d+$/, 'Flags must be an unsigned integer').refine((f) => !/^\d+$/.test(f) || BigInt(f) <= 18446744073709551615n, 'Flags out of range for uint64').optional(),
  Index: z.number().int().nonnegative().optional(),
  Session: z.string().optional(),
  Namespace: z.string().optional(),
  Partition: z.string().optional(),
});

/** The index a `cas`/`delete-cas` compares with (0: must not exist); read back objects carry it too. */
const ModifyIndex = z.number().int().nonnegative().optional();

const NodeSchema = z.object({
  ID: z.string().optional(),
  Node: z.string().default(''),
  Address: z.string().optional(),
  TaggedAddresses: StringMapSchema.optional(),
  Meta: StringMapSchema.optional(),
  ModifyIndex,
});

/** Node, Service and Check verbs (Consul's api.NodeOp, ServiceOp, CheckOp). */
export const CATALOG_TXN_VERBS = ['get', 'set', 'cas', 'delete', 'delete-cas'] as const;

/** One element of the body: exactly one of KV, Node, Service or Check. */
export const TxnOpSchema = z.object({
  KV: KvTxnOpSchema.optional(),
  Node: z.object({ Verb: z.string(), Node: NodeSchema }).optional(),
  Service: z.object({ Verb: z.string(), Node: z.string().default(''), Service: CatalogServiceSchema.extend({ ModifyIndex }) }).optional(),
  Check: z.object({ Verb: z.string(), Check: CatalogCheckSchema.extend({ ModifyIndex }) }).optional(),
});
export const TxnBodySchema = z.array(TxnOpSchema);
export type TxnOpBody = z.infer<typeof TxnOpSchema>;

/** An operation as the Datacenter object runs it (values decoded, names resolved). */
export type TxnOp =
  | { KV: KvOp }
  | { Node: { Verb: string; Node: string; Index: number; Input?: { ID: string; Address: string; TaggedAddresses: StringMap; Meta: StringMap } } }
  | { Service: { Verb: string; Node: string; ServiceID: string; Index: number; Definition?: ServiceDefinition } }
  | { Check: { Verb: string; Node: string; CheckID: string; Index: number; Spec?: CatalogCheckSpec } };

/** A check as the catalog stores it: its definition plus the status it is given. */
export type CatalogCheckSpec = CheckSpec & { Status: HealthStatus; Output: string };

export type TxnResult = { KV: KvEntry } | { Node: Node } | { Service: NodeService } | { Check: HealthCheck };
export type TxnWireResult = { KV: DirEntry } | { Node: Node } | { Service: NodeService } | { Check: HealthCheck };

export interface TxnError {
  OpIndex: number;
  What: string;
}

/** /v1/txn's answer: every result, or every operation's error (durable-objects/engine/outcome.ts). */
export type TxnOutcome = Outcome<TxnResult[], { errors: TxnError[] }>;
