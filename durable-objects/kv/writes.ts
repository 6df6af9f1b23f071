// KV verbs as one transaction step each (Consul's state/txn.go txnKVS and kvs.go): what a PUT or DELETE
// on /v1/kv and every `KV` operation of /v1/txn run. A verb that cannot apply says why; the caller
// decides whether that is `false` (HTTP) or a rolled-back transaction (txn).
import type { KvEntry, KvOp } from '../../worker/consul/kv';
import type { Tx } from '../engine/indexes';
import type { LockDelays } from './lock-delays';
import { deleteKv, deleteKvTree, getKv, listKv, putKv, setKv, toKvEntry, type KvRow } from './table';
import { failed, ok, refuse, type Outcome, type Reason } from '../engine/outcome';
import { getSession } from '../sessions/table';

export type KvStep = Outcome<KvEntry[], Reason>;

const done = (results: KvEntry[] = []): KvStep => ok(results);
const fail = (why: string): KvStep => failed(why);
const q = JSON.stringify;

/** The entry after a write, as a write's result: Consul blanks the value of everything but reads. */
const written = (tx: Tx, key: string, withResults: boolean) => done(withResults ? [toKvEntry(getKv(tx.sql, key) as KvRow, false)] : []);

function write(tx: Tx, op: KvOp, existing: KvRow | undefined, session: string | null, lockIndex: number): void {
  putKv(tx, { key: op.Key, value: op.Value ?? null, flags: op.Flags ?? '0', session, lockIndex }, existing);
}

/** `withResults: false` skips reading back what a write wrote (a plain PUT needs only true or false). */
export function applyKvOp(tx: Tx, op: KvOp, lockDelays: LockDelays, withResults = true): KvStep {
  const existing = getKv(tx.sql, op.Key);
  switch (op.Verb) {
    case 'set':
      // A plain write keeps whoever holds the lock.
      write(tx, op, existing, existing?.session ?? null, existing?.lock_index ?? 0);
      return written(tx, op.Key, withResults);
    case 'cas': {
      const current = existing?.modify_index ?? 0;
      if (current !== (op.Index ?? 0)) return fail(`failed to set key ${q(op.Key)}, index is stale`);
      write(tx, op, existing, existing?.session ?? null, existing?.lock_index ?? 0);
      return written(tx, op.Key, withResults);
    }
    case 'lock': {
      if (!op.Session) return fail('missing session');
      const session = getSession(tx.sql, op.Session)?.id;
      if (!session) return fail(`invalid session ${q(op.Session)}`);
      if (lockDelays.blocks(op.Key, tx.now)) return fail('failed to lock key due to lock delay');
      if (existing?.session && existing.session !== session) return fail(`failed to lock key ${q(op.Key)}, lock is already held`);
      const lockIndex = existing?.session === session ? existing.lock_index : (existing?.lock_index ?? 0) + 1;
      write(tx, op, existing, session, lockIndex);
      return written(tx, op.Key, withResults);
    }
    case 'unlock':
      if (!existing || !op.Session || existing.session !== op.Session.toLowerCase()) {
        return fail(`failed to unlock key ${q(op.Key)}, lock isn't held, or is held by another session`);
      }
      write(tx, op, existing, null, existing.lock_index);
      return written(tx, op.Key, withResults);
    case 'get':
      return existing ? done([toKvEntry(existing)]) : fail(`key ${q(op.Key)} doesn't exist`);
    case 'get-or-empty':
      return done(existing ? [toKvEntry(existing)] : []);
    case 'get-tree':
      return done(listKv(tx.sql, op.Key).map((row) => toKvEntry(row)));
    case 'check-index':
      if (!existing) return fail(`key ${q(op.Key)} doesn't exist`);
      if (existing.modify_index !== op.Index) {
        return fail(`failed index check for key ${q(op.Key)}, current modify index ${existing.modify_index} != ${op.Index ?? 0}`);
      }
      return done([toKvEntry(existing, false)]);
    case 'check-session':
      if (!existing) return fail(`key ${q(op.Key)} doesn't exist`);
      if ((existing.session ?? '') !== (op.Session ?? '').toLowerCase()) {
        return fail(`failed session check for key ${q(op.Key)}, current session ${q(existing.session ?? '')} != ${q(op.Session ?? '')}`);
      }
      return done([toKvEntry(existing, false)]);
    case 'check-not-exists':
      return existing ? fail(`key ${q(op.Key)} exists`) : done();
    case 'delete':
      deleteKv(tx, op.Key);
      return done();
    case 'delete-tree':
      deleteKvTree(tx, op.Key);
      return done();
    case 'delete-cas':
      // Consul answers true for a key that is already gone.
      if (existing && existing.modify_index !== op.Index) return fail(`failed to delete key ${q(op.Key)}, index is stale`);
      deleteKv(tx, op.Key);
      return done();
    default:
      return fail(`unknown KV verb ${q((op as KvOp).Verb)}`);
  }
}

/** A PUT or DELETE on /v1/kv: `false` when a cas, acquire or release does not apply; a lock without a live session refuses. */
export function kvsApply(tx: Tx, op: KvOp, lockDelays: LockDelays): Outcome<boolean> {
  // The plain PUT needs no read first: one statement writes it, or finds it unchanged.
  if (op.Verb === 'set') {
    setKv(tx, op.Key, op.Value ?? null, op.Flags ?? '0');
    return ok(true);
  }
  if (op.Verb === 'lock' && !(op.Session && getSession(tx.sql, op.Session))) return refuse(500, `invalid session "${op.Session ?? ''}"`);
  return ok(applyKvOp(tx, op, lockDelays, false).ok);
}
