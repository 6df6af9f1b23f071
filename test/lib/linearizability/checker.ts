// A Wing–Gong linearizability checker with Lowe's memoisation (the algorithm Porcupine uses), for
// histories recorded by the end-to-end tests. A history is a list of operations, each with the time
// it was invoked and the time it returned; it is linearizable if the operations can be put in one
// order that respects real time (an operation that returned before another was invoked comes first)
// and in which every output is what the sequential model gives. Histories are checked one partition
// (one key) at a time, which is sound for models whose keys are independent (P-compositionality).
//
// An operation whose outcome is unknown (the server was killed, the connection dropped) has
// `returnedAt: Infinity` and `output: undefined`: it may have taken effect at any point after its
// invocation, or never, and any output is accepted for it.

export interface Operation<I, O> {
  /** Which independent object (key) it acts on. */
  partition: string;
  input: I;
  /** `undefined`: outcome unknown. */
  output: O | undefined;
  invokedAt: number;
  returnedAt: number;
}

export interface Model<S, I, O> {
  init(): S;
  /** The state after `input` applied to `state`, and the output it gives. */
  step(state: S, input: I): { state: S; output: O };
  equal(a: O, b: O): boolean;
  /** A string that identifies the state (for the memo cache). */
  key(state: S): string;
}

export interface CheckResult {
  ok: boolean;
  /** The partition that could not be linearized, when `ok` is false. */
  partition?: string;
  operations: number;
}

export function checkHistory<S, I, O>(model: Model<S, I, O>, history: Operation<I, O>[]): CheckResult {
  const partitions = new Map<string, Operation<I, O>[]>();
  for (const op of history) {
    const list = partitions.get(op.partition) ?? [];
    list.push(op);
    partitions.set(op.partition, list);
  }
  for (const [partition, ops] of partitions) {
    if (!checkPartition(model, ops)) return { ok: false, partition, operations: history.length };
  }
  return { ok: true, operations: history.length };
}

interface Entry {
  id: number;
  kind: 'call' | 'return';
  time: number;
  prev: Entry | null;
  next: Entry | null;
  /** On a call: its return entry. */
  match: Entry | null;
}

/** Operations that never returned are dropped if the search needs them not to have happened. */
export function checkPartition<S, I, O>(model: Model<S, I, O>, ops: Operation<I, O>[]): boolean {
  // Events in time order; at equal times calls come before returns (overlap is the lenient reading).
  const events: { id: number; kind: 'call' | 'return'; time: number }[] = [];
  ops.forEach((op, id) => {
    if (!(op.returnedAt >= op.invokedAt)) throw new Error(`operation ${id} returned before it was invoked`);
    events.push({ id, kind: 'call', time: op.invokedAt });
    events.push({ id, kind: 'return', time: op.returnedAt });
  });
  events.sort((a, b) => a.time - b.time || (a.kind === b.kind ? a.id - b.id : a.kind === 'call' ? -1 : 1));

  const head: Entry = { id: -1, kind: 'call', time: -Infinity, prev: null, next: null, match: null };
  let tail = head;
  const calls = new Map<number, Entry>();
  for (const e of events) {
    const entry: Entry = { ...e, prev: tail, next: null, match: null };
    tail.next = entry;
    tail = entry;
    if (e.kind === 'call') calls.set(e.id, entry);
    else calls.get(e.id)!.match = entry;
  }

  let returnedLeft = ops.filter((op) => op.returnedAt !== Infinity).length;
  const lift = (call: Entry) => {
    if (ops[call.id].returnedAt !== Infinity) returnedLeft--;
    call.prev!.next = call.next;
    call.next!.prev = call.prev;
    const ret = call.match!;
    ret.prev!.next = ret.next;
    if (ret.next) ret.next.prev = ret.prev;
  };
  const unlift = (call: Entry) => {
    if (ops[call.id].returnedAt !== Infinity) returnedLeft++;
    const ret = call.match!;
    ret.prev!.next = ret;
    if (ret.next) ret.next.prev = ret;
    call.prev!.next = call;
    call.next!.prev = call;
  };

  const linearized = new Uint8Array(ops.length);
  const cache = new Set<string>();
  const stack: { call: Entry; state: S }[] = [];
  let state = model.init();
  let entry = head.next;
  while (head.next !== null) {
    // Unreturned operations need not take effect: the rest of them may be left out.
    if (returnedLeft === 0) return true;
    if (entry === null) throw new Error('checker reached the end of the history without a return');
    if (entry.kind === 'call') {
      const op = ops[entry.id];
      const result = model.step(state, op.input);
      const matches = op.output === undefined || model.equal(result.output, op.output);
      if (matches) {
        linearized[entry.id] = 1;
        const memo = `${linearized.join('')}|${model.key(result.state)}`;
        if (!cache.has(memo)) {
          cache.add(memo);
          stack.push({ call: entry, state });
          state = result.state;
          lift(entry);
          entry = head.next;
          continue;
        }
        linearized[entry.id] = 0;
      }
      entry = entry.next;
    } else {
      // A return reached before its call was linearized: backtrack.
      const top = stack.pop();
      if (!top) return false;
      state = top.state;
      linearized[top.call.id] = 0;
      unlift(top.call);
      entry = top.call.next;
    }
  }
  return true;
}
