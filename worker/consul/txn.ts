// Transactions' contract (Consul's api/txn.go): the operations a `PUT /v1/txn` body holds, what each
// returns, and the errors of a transaction that rolled back.
import { z } from 'zod';
import type { HealthCheck } from './check';
import type { Node } from './common';
import type { DirEntry, KvEntry, KvOp } from './kv';
import type { NodeService } from './service';

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

/** One element of the body: exactly one of KV, Node, Service or Check. */
export const TxnOpSchema = z.object({
  KV: KvTxnOpSchema.optional(),
  Node: z.object({ Verb: z.string(), Node: z.object({ Node: z.string().default('') }) }).optional(),
  Service: z.object({ Verb: z.string(), Node: z.string().default(''), Service: z.object({ ID: z.string().default('') }) }).optional(),
  Check: z.object({ Verb: z.string(), Check: z.object({ Node: z.string().default(''), CheckID: z.string().default('') }) }).optional(),
});
export const TxnBodySchema = z.array(TxnOpSchema);
export type TxnOpBody = z.infer<typeof TxnOpSchema>;

/** An operation as the Datacenter object runs it (values decoded, names resolved). */
export type TxnOp =
  | { KV: KvOp }
  | { Node: { Verb: string; Node: string } }
  | { Service: { Verb: string; Node: string; ServiceID: string } }
  | { Check: { Verb: string; Node: string; CheckID: string } };

export type TxnResult = { KV: KvEntry } | { Node: Node } | { Service: NodeService } | { Check: HealthCheck };
export type TxnWireResult = { KV: DirEntry } | { Node: Node } | { Service: NodeService } | { Check: HealthCheck };

export interface TxnError {
  OpIndex: number;
  What: string;
}

export type TxnOutcome = { ok: true; value: TxnResult[] } | { ok: false; errors: TxnError[] };
