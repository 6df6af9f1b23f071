// `/v1/txn` inside the object: every operation in order within one SQLite transaction, errors collected
// for all of them, and nothing kept unless every one applied (Consul's state/txn.go txnDispatch).
import type { TxnError, TxnOp, TxnOutcome, TxnResult } from '../worker/consul/txn';
import type { Tx } from './engine/indexes';
import { failed, ok, type Outcome, type Reason } from './engine/outcome';
import { applyKvOp } from './kv/writes';
import type { LockDelays } from './kv/lock-delays';
import { deleteCheck, getCheck, getCheckView, setCheckStatus, toHealthCheck, upsertCheck } from './catalog/checks';
import { deleteNode, getNode, toNode, upsertNode } from './catalog/nodes';
import { deleteService, getService, toNodeService, upsertService } from './catalog/services';

type Step = Outcome<TxnResult[], Reason>;

const done = (results: TxnResult[] = []): Step => ok(results);
const fail = (why: string): Step => failed(why);
const q = JSON.stringify;

/** A `cas` writes only over the index it read (0: only when missing), as ensureNodeCASTxn and friends. */
const casMatches = (current: number | undefined, index: number) => (index === 0 ? current === undefined : current === index);
/** A `delete-cas` deletes only an existing object at that index. */
const deleteCasMatches = (current: number | undefined, index: number) => current !== undefined && current === index;

/** One catalog object's verbs; `what` names it in Consul's errors (`node "n"`, `service "s" on node "n"`). */
function catalogStep(
  verb: string,
  kind: string,
  what: string,
  index: number,
  current: number | undefined,
  ops: { read(): TxnResult | undefined; write(): Step | undefined; remove(): void },
): Step {
  switch (verb) {
    case 'get': {
      const result = ops.read();
      return result ? done([result]) : fail(`${what} doesn't exist`);
    }
    case 'cas':
      if (!casMatches(current, index)) return fail(`failed to set ${what}, index is stale`);
      return ops.write() ?? done([ops.read()!]);
    case 'set':
      return ops.write() ?? done([ops.read()!]);
    case 'delete-cas':
      if (!deleteCasMatches(current, index)) return fail(`failed to delete ${what}, index is stale`);
      ops.remove();
      return done();
    case 'delete':
      ops.remove();
      return done();
    default:
      return fail(`unknown ${kind} verb ${q(verb)}`);
  }
}

function step(tx: Tx, op: TxnOp, lockDelays: LockDelays, datacenter: string): Step {
  if ('KV' in op) {
    const kv = applyKvOp(tx, op.KV, lockDelays);
    return kv.ok ? ok(kv.value.map((entry): TxnResult => ({ KV: entry }))) : kv;
  }
  if ('Node' in op) {
    const { Verb, Node: name, Index, Input } = op.Node;
    const existing = getNode(tx.sql, name);
    return catalogStep(Verb, 'Node', `node ${q(name)}`, Index, existing?.modify_index, {
      read: () => {
        const row = getNode(tx.sql, name);
        return row && { Node: toNode(row, datacenter) };
      },
      write: () => void upsertNode(tx, { Node: name, ...Input!, ID: Input!.ID || existing?.id || '' }),
      remove: () => void deleteNode(tx, name),
    });
  }
  if ('Service' in op) {
    const { Verb, Node: node, ServiceID, Index, Definition } = op.Service;
    return catalogStep(Verb, 'Service', `service ${q(ServiceID)} on node ${q(node)}`, Index, getService(tx.sql, node, ServiceID)?.modify_index, {
      read: () => {
        const row = getService(tx.sql, node, ServiceID);
        return row && { Service: toNodeService(row) };
      },
      write: () => (getNode(tx.sql, node) ? void upsertService(tx, node, Definition!) : fail('Missing node registration')),
      remove: () => void deleteService(tx, node, ServiceID),
    });
  }
  const { Verb, Node: node, CheckID, Index, Spec } = op.Check;
  return catalogStep(Verb, 'Check', `check ${q(CheckID)} on node ${q(node)}`, Index, getCheck(tx.sql, node, CheckID)?.modify_index, {
    read: () => {
      const view = getCheckView(tx.sql, node, CheckID);
      return view && { Check: toHealthCheck(view) };
    },
    write: () => {
      if (!getNode(tx.sql, node)) return fail('Missing node registration');
      if (Spec!.ServiceID && !getService(tx.sql, node, Spec!.ServiceID)) return fail('Missing service registration');
      upsertCheck(tx, node, Spec!);
      setCheckStatus(tx, node, Spec!.CheckID, Spec!.Status, Spec!.Output);
      return undefined;
    },
    remove: () => void deleteCheck(tx, node, CheckID),
  });
}

export function txnApply(tx: Tx, ops: TxnOp[], lockDelays: LockDelays, datacenter: string): TxnOutcome {
  const results: TxnResult[] = [];
  const errors: TxnError[] = [];
  ops.forEach((op, i) => {
    const s = step(tx, op, lockDelays, datacenter);
    if (s.ok) results.push(...s.value);
    else errors.push({ OpIndex: i, What: s.reason });
  });
  return errors.length ? { ok: false, errors } : { ok: true, value: results };
}

/** The nodes a transaction's operations delete (the agent keeps its own node: agent/agent.ts keepNode). */
export const txnRemovesNode = (ops: TxnOp[]): string[] =>
  ops.flatMap((op) => ('Node' in op && op.Node.Verb.startsWith('delete') ? [op.Node.Node] : []));
