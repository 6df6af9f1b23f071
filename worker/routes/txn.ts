// PUT /v1/txn: up to 128 KV (and read-only catalog) operations applied all together or not at all
// (Consul's agent/txn_endpoint.go): 200 with every result, or 409 with every error.
import { Hono } from 'hono';
import { KV_READ_VERBS, toDirEntry, type KvOp, type KvVerb } from '../consul/kv';
import { TXN_MAX_OPS, TxnBodySchema, type TxnOp, type TxnOpBody, type TxnWireResult } from '../consul/txn';
import type { AppEnv } from '../env';
import { bodyTooLarge, canonicalizeKeys, MAX_BODY_BYTES } from '../http/body';
import { endpoint } from '../http/endpoint';
import { badRequest, ConsulError } from '../http/errors';
import { parseGoJson } from '../http/go-json';
import { consistencyMode } from '../http/flags';
import { kvJson, quoteFlags } from '../http/kv-json';
import { json } from '../http/meta';

export const txn = new Hono<AppEnv>();

const parseError = (reason: string) => badRequest(`Failed to parse body: ${reason}`);

// No per-value size check: base64 of a value over KV_MAX_VALUE_BYTES never fits in a body of MAX_BODY_BYTES.
function decodeValue(value: string | null | undefined): ArrayBuffer | null {
  if (!value) return null;
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(value) || value.length % 4 === 1) throw parseError('illegal base64 data');
  const bytes = Buffer.from(value, 'base64');
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

function toOp(body: TxnOpBody): TxnOp {
  if (body.KV) {
    const { Verb, Key, Value, Flags, Index, Session } = body.KV;
    const op: KvOp = { Verb: Verb as KvVerb, Key, Value: decodeValue(Value), Flags: Flags === undefined ? undefined : BigInt(Flags).toString(), Index, Session };
    return { KV: op };
  }
  if (body.Node) return { Node: { Verb: body.Node.Verb, Node: body.Node.Node.Node } };
  if (body.Service) return { Service: { Verb: body.Service.Verb, Node: body.Service.Node, ServiceID: body.Service.Service.ID } };
  if (body.Check) return { Check: { Verb: body.Check.Verb, Node: body.Check.Check.Node, CheckID: body.Check.Check.CheckID } };
  throw parseError('operation has no KV, Node, Service or Check');
}

const isRead = (op: TxnOp) => ('KV' in op ? (KV_READ_VERBS as readonly string[]).includes(op.KV.Verb) : Object.values(op)[0].Verb === 'get');

endpoint(txn, ['PUT'], '/', async (c) => {
  const text = await c.req.text();
  const bytes = new TextEncoder().encode(text).length;
  if (bytes > MAX_BODY_BYTES) throw bodyTooLarge(bytes);
  let raw: unknown;
  try {
    raw = parseGoJson(quoteFlags(text));
  } catch (err) {
    throw parseError((err as Error).message);
  }
  const parsed = TxnBodySchema.safeParse(canonicalizeKeys(TxnBodySchema, raw));
  if (!parsed.success) throw parseError(parsed.error.issues[0].message);
  if (parsed.data.length > TXN_MAX_OPS) throw new ConsulError(413, `Transaction contains too many operations (${parsed.data.length} > ${TXN_MAX_OPS})`);
  const ops = parsed.data.map(toOp);
  const readOnly = ops.every(isRead);
  if (readOnly) consistencyMode(c);
  const outcome = await c.var.dc.txnApply(ops);
  if (readOnly) {
    c.header('X-Consul-KnownLeader', 'true');
    c.header('X-Consul-LastContact', '0');
  }
  if (!outcome.ok) return json(c, { Results: null, Errors: outcome.errors }, 409);
  // Only reads carry values back; Consul blanks them in every other result.
  const results: TxnWireResult[] = outcome.value.map((r) => ('KV' in r ? { KV: toDirEntry(r.KV) } : r));
  return kvJson(c, { Results: results, Errors: null });
});
