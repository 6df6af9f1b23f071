// Sequential models of Beacon's KV for the linearizability checker: a register per key (get, put,
// check-and-set, delete) and a lock per key (acquire/release by session).
import type { Model } from './checker';

/**
 * A key's value (`null`: absent). Every put and CAS writes a value never written before, so "the
 * ModifyIndex the client read" is the same as "the value the client read", and a CAS is modelled as
 * comparing values (`expect: null` is `?cas=0`, create only if absent).
 */
export type RegisterInput =
  | { op: 'get' }
  | { op: 'put'; value: string }
  | { op: 'cas'; expect: string | null; value: string }
  | { op: 'delete' };
export type RegisterOutput = string | null | boolean;

export const registerModel: Model<string | null, RegisterInput, RegisterOutput> = {
  init: () => null,
  step(state, input) {
    switch (input.op) {
      case 'get':
        return { state, output: state };
      case 'put':
        return { state: input.value, output: true };
      case 'cas':
        return state === input.expect ? { state: input.value, output: true } : { state, output: false };
      case 'delete':
        return { state: null, output: true };
    }
  },
  equal: (a, b) => a === b,
  key: (state) => (state === null ? '\u0000' : state),
};

/** The session holding the lock (`null`: free). Consul lets the holder acquire again. */
export type LockInput = { op: 'acquire' | 'release'; session: string } | { op: 'holder' };
export type LockOutput = boolean | string | null;

export const lockModel: Model<string | null, LockInput, LockOutput> = {
  init: () => null,
  step(state, input) {
    switch (input.op) {
      case 'holder':
        return { state, output: state };
      case 'acquire':
        return state === null || state === input.session ? { state: input.session, output: true } : { state, output: false };
      case 'release':
        return state === input.session ? { state: null, output: true } : { state, output: false };
    }
  },
  equal: (a, b) => a === b,
  key: (state) => (state === null ? '\u0000' : state),
};
