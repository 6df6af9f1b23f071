// The checker against hand-made histories: known linearizable ones pass, known non-linearizable ones
// (stale reads, lost writes, two lock holders, a CAS that succeeded twice) are rejected, and a
// random history made by a real sequential execution always passes.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkHistory, type Operation } from './checker';
import { lockModel, registerModel, type LockInput, type LockOutput, type RegisterInput, type RegisterOutput } from './models';

type R = Operation<RegisterInput, RegisterOutput>;
const op = (input: RegisterInput, output: RegisterOutput | undefined, invokedAt: number, returnedAt: number, partition = 'k'): R => ({
  partition, input, output, invokedAt, returnedAt,
});
const put = (value: string) => ({ op: 'put', value }) as const;
const get = { op: 'get' } as const;
const cas = (expect: string | null, value: string) => ({ op: 'cas', expect, value }) as const;
const del = { op: 'delete' } as const;

const registerCases: [string, R[], boolean][] = [
  ['empty history', [], true],
  ['a read of a never-written key sees nothing', [op(get, null, 0, 1)], true],
  ['sequential put then get', [op(put('a'), true, 0, 1), op(get, 'a', 2, 3)], true],
  ['stale read after a put returned', [op(put('a'), true, 0, 1), op(get, null, 2, 3)], false],
  ['a read concurrent with the put may see either', [op(put('a'), true, 0, 5), op(get, null, 1, 2), op(get, 'a', 3, 4)], true],
  ['reads going back in time (new, then old)', [op(put('a'), true, 0, 10), op(get, 'a', 1, 2), op(get, null, 3, 4)], false],
  ['a value nobody wrote', [op(put('a'), true, 0, 1), op(get, 'b', 2, 3)], false],
  ['overlapping puts, both orders possible', [op(put('a'), true, 0, 5), op(put('b'), true, 1, 6), op(get, 'a', 7, 8)], true],
  ['lost write: the later put vanished', [op(put('a'), true, 0, 1), op(put('b'), true, 2, 3), op(get, 'a', 4, 5)], false],
  ['two CAS from the same read: only one may win', [op(put('a'), true, 0, 1), op(cas('a', 'b'), true, 2, 5), op(cas('a', 'c'), true, 3, 6)], false],
  ['two CAS from the same read: one wins, one loses', [op(put('a'), true, 0, 1), op(cas('a', 'b'), true, 2, 5), op(cas('a', 'c'), false, 3, 6), op(get, 'b', 7, 8)], true],
  ['cas=0 creates only if absent', [op(cas(null, 'a'), true, 0, 1), op(cas(null, 'b'), false, 2, 3)], true],
  ['cas=0 succeeding on a present key', [op(put('a'), true, 0, 1), op(cas(null, 'b'), true, 2, 3)], false],
  ['delete then read', [op(put('a'), true, 0, 1), op(del, true, 2, 3), op(get, null, 4, 5)], true],
  ['read of a deleted value', [op(put('a'), true, 0, 1), op(del, true, 2, 3), op(get, 'a', 4, 5)], false],
  ['an unknown outcome may have taken effect', [op(put('a'), undefined, 0, Infinity), op(get, 'a', 2, 3)], true],
  ['an unknown outcome may not have taken effect', [op(put('a'), undefined, 0, Infinity), op(get, null, 2, 3)], true],
  ['an unknown outcome cannot take effect before it was invoked', [op(get, 'a', 0, 1), op(put('a'), undefined, 2, Infinity)], false],
  ['an unknown outcome takes effect once: flip-flop refused', [op(put('a'), undefined, 0, Infinity), op(get, 'a', 1, 2), op(get, null, 3, 4)], false],
  ['keys are independent', [op(put('a'), true, 0, 1, 'x'), op(get, null, 2, 3, 'y'), op(get, 'a', 2, 3, 'x')], true],
  ['a stale read on one key of two', [op(put('a'), true, 0, 1, 'x'), op(put('b'), true, 0, 1, 'y'), op(get, 'b', 2, 3, 'y'), op(get, null, 2, 3, 'x')], false],
];

describe('register histories', () => {
  it.each(registerCases)('%s', (_name, history, linearizable) => {
    expect(checkHistory(registerModel, history).ok).toBe(linearizable);
  });
});

type L = Operation<LockInput, LockOutput>;
const lock = (input: LockInput, output: LockOutput | undefined, invokedAt: number, returnedAt: number): L => ({ partition: 'lock', input, output, invokedAt, returnedAt });
const lockCases: [string, L[], boolean][] = [
  ['acquire, release, acquire by another', [lock({ op: 'acquire', session: 's1' }, true, 0, 1), lock({ op: 'release', session: 's1' }, true, 2, 3), lock({ op: 'acquire', session: 's2' }, true, 4, 5)], true],
  ['two holders at once', [lock({ op: 'acquire', session: 's1' }, true, 0, 1), lock({ op: 'acquire', session: 's2' }, true, 2, 3)], false],
  ['racing acquires: one wins', [lock({ op: 'acquire', session: 's1' }, true, 0, 3), lock({ op: 'acquire', session: 's2' }, false, 1, 4)], true],
  ['racing acquires: both lose on a free lock', [lock({ op: 'acquire', session: 's1' }, false, 0, 3), lock({ op: 'acquire', session: 's2' }, false, 1, 4)], false],
  ['release by a non-holder', [lock({ op: 'acquire', session: 's1' }, true, 0, 1), lock({ op: 'release', session: 's2' }, true, 2, 3)], false],
  ['the holder acquires again', [lock({ op: 'acquire', session: 's1' }, true, 0, 1), lock({ op: 'acquire', session: 's1' }, true, 2, 3)], true],
  ['holder seen after release', [lock({ op: 'acquire', session: 's1' }, true, 0, 1), lock({ op: 'release', session: 's1' }, true, 2, 3), lock({ op: 'holder' }, 's1', 4, 5)], false],
];

describe('lock histories', () => {
  it.each(lockCases)('%s', (_name, history, linearizable) => {
    expect(checkHistory(lockModel, history).ok).toBe(linearizable);
  });
});

// A random sequential run of the model, then each operation's interval widened at random while
// keeping its linearization point inside: always linearizable. Then one read's output changed to a
// value the key never had at any moment: never linearizable.
const inputArb = fc.oneof(
  fc.constant<RegisterInput>(get),
  fc.constant<RegisterInput>(del),
  fc.constant<RegisterInput>({ op: 'put', value: '' }),
  fc.constant<RegisterInput>({ op: 'cas', expect: null, value: '' }),
);
const runArb = fc.array(fc.tuple(inputArb, fc.nat(20), fc.nat(20), fc.nat(5)), { minLength: 1, maxLength: 60 });

function sequentialHistory(run: [RegisterInput, number, number, number][]): R[] {
  let state: string | null = null;
  const written: string[] = [];
  return run.map(([template, before, after, ref], i) => {
    let input = template;
    if (input.op === 'put') input = put(`v${i}`);
    if (input.op === 'cas') input = cas(ref === 0 ? null : (written.at(-ref) ?? null), `v${i}`);
    const result = registerModel.step(state, input);
    if (result.state !== state && result.state !== null) written.push(result.state);
    state = result.state;
    const point = i * 10;
    return op(input, result.output, point - before, point + after);
  });
}

describe('random histories', () => {
  it('accepts every history that a sequential run produced, with its intervals widened', () => {
    fc.assert(fc.property(runArb, (run) => checkHistory(registerModel, sequentialHistory(run)).ok), { seed: 15, numRuns: 300 });
  });

  it('rejects it once a read returns a value that was never written', () => {
    fc.assert(
      fc.property(runArb, fc.nat(), (run, pick) => {
        const history = sequentialHistory([...run, [get, 0, 0, 0]]);
        const reads = history.filter((h) => h.input.op === 'get');
        reads[pick % reads.length].output = 'never-written';
        return !checkHistory(registerModel, history).ok;
      }),
      { seed: 15, numRuns: 300 },
    );
  });
});
