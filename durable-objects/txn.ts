// `/v1/txn` inside the object: every operation in order within one SQLite transaction, errors collected
// for all of them, and nothing kept unless every one applied (Consul's state/txn.go txnDispatch).
import type { TxnError, TxnOp, TxnOutcome, TxnResult } from '../worker/consul/txn';
import type { Tx } from './indexes';
import { applyKvOp } from './kv';
import type { LockDelays } from './lock-delays';
import { listChecksOnNode, toHealthCheck } from './store/checks';
import { getNode, toNode } from './store/nodes';
import { getService, toNodeService } from './store/services';

type Step = { ok: true; results: TxnResult[] } | { ok: false; why: string };

/** Beacon's transactions read the catalog but do not write it. */
const readOnly = (kind: string, verb: string): Step | null => (verb === 'get' ? null : { ok: false, why: `${kind} verb ${JSON.stringify(verb)} is not supported by Beacon (only "get")` });

function step(tx: Tx, op: TxnOp, lockDelays: LockDelays, datacenter: string): Step {
  if ('KV' in op) {
    const kv = applyKvOp(tx, op.KV, lockDelays);
    return kv.ok ? { ok: true, results: kv.results.map((entry) => ({ KV: entry })) } : kv;
  }
  if ('Node' in op) {
    const refused = readOnly('Node', op.Node.Verb);
    if (refused) return refused;
    const row = getNode(tx.sql, op.Node.Node);
    return row ? { ok: true, results: [{ Node: toNode(row, datacenter) }] } : { ok: false, why: `node ${JSON.stringify(op.Node.Node)} doesn't exist` };
  }
  if ('Service' in op) {
    const refused = readOnly('Service', op.Service.Verb);
    if (refused) return refused;
    const row = getService(tx.sql, op.Service.Node, op.Service.ServiceID);
    return row
      ? { ok: true, results: [{ Service: toNodeService(row) }] }
      : { ok: false, why: `service ${JSON.stringify(op.Service.ServiceID)} on node ${JSON.stringify(op.Service.Node)} doesn't exist` };
  }
  const refused = readOnly('Check', op.Check.Verb);
  if (refused) return refused;
  const view = listChecksOnNode(tx.sql, op.Check.Node).find((c) => c.check_id.toLowerCase() === op.Check.CheckID.toLowerCase());
  return view
    ? { ok: true, results: [{ Check: toHealthCheck(view) }] }
    : { ok: false, why: `check ${JSON.stringify(op.Check.CheckID)} on node ${JSON.stringify(op.Check.Node)} doesn't exist` };
}

export function txnApply(tx: Tx, ops: TxnOp[], lockDelays: LockDelays, datacenter: string): TxnOutcome {
  const results: TxnResult[] = [];
  const errors: TxnError[] = [];
  ops.forEach((op, i) => {
    const s = step(tx, op, lockDelays, datacenter);
    if (s.ok) results.push(...s.results);
    else errors.push({ OpIndex: i, What: s.why });
  });
  return errors.length ? { ok: false, errors } : { ok: true, value: results };
}
