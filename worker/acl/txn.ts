// Transactions are checked per operation (Consul's txn_endpoint.go preCheck + kvsPreApply): a KV write
// needs key:write on its key (delete-tree: on everything beneath), a check-* op key:read; gets are
// filtered on the way out. Any denied operation fails the transaction with Consul's 409 and every error.
import type { Context } from 'hono';
import type { TxnError } from '../consul/txn';
import type { AppEnv } from '../env';
import { quoteFlags } from '../http/kv-json';
import { allows, denial, type Need } from './enforce';
import type { Identity } from './resolve';

const WRITES = new Set(['set', 'cas', 'lock', 'unlock', 'delete', 'delete-cas']);
const CHECKS = new Set(['check-index', 'check-session', 'check-not-exists']);

const field = (o: unknown, name: string): unknown =>
  o && typeof o === 'object' ? Object.entries(o).find(([k]) => k.toLowerCase() === name.toLowerCase())?.[1] : undefined;

function needOf(op: unknown): Need | undefined {
  const kv = field(op, 'KV');
  if (!kv) return undefined;
  const verb = String(field(kv, 'Verb') ?? '');
  const key = String(field(kv, 'Key') ?? '');
  if (WRITES.has(verb)) return { resource: 'key', segment: key, access: 'write' };
  if (verb === 'delete-tree') return { resource: 'key-write-prefix', segment: key };
  if (CHECKS.has(verb)) return { resource: 'key', segment: key, access: 'read' };
  return undefined;
}

/** Consul's 409 answer for the denied operations of a transaction, or undefined when all may run. */
export async function txnDenials(c: Context<AppEnv>, identity: Identity): Promise<Response | undefined> {
  let ops: unknown;
  try {
    ops = JSON.parse(quoteFlags(await c.req.text()));
  } catch {
    return undefined; // the route answers the decode error
  }
  if (!Array.isArray(ops)) return undefined;
  const errors: TxnError[] = [];
  ops.forEach((op, i) => {
    const need = needOf(op);
    if (need && !allows(identity, need)) errors.push({ OpIndex: i, What: denial(identity, need).message });
  });
  if (!errors.length) return undefined;
  return c.json({ Results: null, Errors: errors }, 409);
}
