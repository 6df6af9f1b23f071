// PUT /v1/txn: up to 128 KV (and read-only catalog) operations applied all together or not at all
// (Consul's agent/txn_endpoint.go): 200 with every result, or 409 with every error.
import { Hono } from 'hono';
import { KV_READ_VERBS, toDirEntry, type KvOp, type KvVerb } from '../consul/kv';
import { TXN_MAX_OPS, TxnBodySchema, type TxnError, type TxnOp, type TxnOpBody, type TxnWireResult } from '../consul/txn';
import { isUuid } from '../consul/common';
import type { AppEnv } from '../env';
import { bodyTooLarge, canonicalizeKeys, MAX_BODY_BYTES } from '../http/body';
import { endpoint } from '../http/endpoint';
import { badRequest, ConsulError, serverError } from '../http/errors';
import { parseGoJson } from '../http/go-json';
import { consistencyMode } from '../http/flags';
import { kvJson, quoteFlags } from '../http/kv-json';
import { json } from '../http/meta';
import { toCatalogCheck } from '../registration/check';
import { toServiceDefinition, validateMeta } from '../registration/service';

export const txn = new Hono<AppEnv>();

const parseError = (reason: string) => badRequest(`Failed to parse body: ${reason}`);

// No per-value size check: base64 of a value over KV_MAX_VALUE_BYTES never fits in a body of MAX_BODY_BYTES.
function decodeValue(value: string | null | undefined): ArrayBuffer | null {
  if (!value) return null;
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(value) || value.length % 4 === 1) throw parseError('illegal base64 data');
  const bytes = Buffer.from(value, 'base64');
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

/**
 * A `set` or `cas` of a Node, Service or Check is checked as Consul's Txn RPC preCheck does
 * (nodePreApply, servicePreApply, checkPreApply): its error fails the transaction before anything runs.
 */
const writes = (verb: string) => verb === 'set' || verb === 'cas';
function checked<T>(verb: string, build: () => T): T | undefined {
  return writes(verb) ? build() : undefined;
}

function toOp(body: TxnOpBody): TxnOp {
  if (body.KV) {
    const { Verb, Key, Value, Flags, Index, Session } = body.KV;
    const op: KvOp = { Verb: Verb as KvVerb, Key, Value: decodeValue(Value), Flags: Flags === undefined ? undefined : BigInt(Flags).toString(), Index, Session };
    return { KV: op };
  }
  if (body.Node) {
    const { Verb, Node: n } = body.Node;
    const Input = checked(Verb, () => {
      if (!n.Node) throw serverError('Must provide node');
      if (n.ID && !isUuid(n.ID)) throw serverError(`Bad node ID: invalid UUID "${n.ID}"`);
      validateMeta(n.Meta ?? {}, (reason) => serverError(`Invalid node metadata: ${reason}`));
      return { ID: n.ID ?? '', Address: n.Address ?? '', TaggedAddresses: n.TaggedAddresses ?? {}, Meta: n.Meta ?? {} };
    });
    return { Node: { Verb, Node: n.Node, Index: n.ModifyIndex ?? 0, Input } };
  }
  if (body.Service) {
    const { Verb, Node, Service: svc } = body.Service;
    const Definition = checked(Verb, () => {
      if (!svc.Service) throw serverError(svc.ID ? 'Must provide service name with ID' : 'Must provide service name');
      return toServiceDefinition(svc.Service, svc, serverError);
    });
    return { Service: { Verb, Node, ServiceID: Definition?.ID ?? svc.ID ?? '', Index: svc.ModifyIndex ?? 0, Definition } };
  }
  if (body.Check) {
    const { Verb, Check: check } = body.Check;
    const Spec = checked(Verb, () => {
      const spec = toCatalogCheck(check);
      if (!spec.CheckID) throw serverError('Missing check ID');
      return spec;
    });
    return { Check: { Verb, Node: check.Node ?? '', CheckID: Spec?.CheckID ?? check.CheckID ?? '', Index: check.ModifyIndex ?? 0, Spec } };
  }
  throw parseError('operation has no KV, Node, Service or Check');
}

/** Every operation converted, or the preCheck errors of those that are invalid. */
function toOps(bodies: TxnOpBody[]): { ops: TxnOp[]; errors: TxnError[] } {
  const ops: TxnOp[] = [];
  const errors: TxnError[] = [];
  bodies.forEach((body, OpIndex) => {
    try {
      ops.push(toOp(body));
    } catch (err) {
      if (!(err instanceof ConsulError) || err.message.startsWith('Failed to parse body')) throw err;
      errors.push({ OpIndex, What: err.message });
    }
  });
  return { ops, errors };
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
  const { ops, errors } = toOps(parsed.data);
  if (errors.length) return json(c, { Results: null, Errors: errors }, 409);
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
