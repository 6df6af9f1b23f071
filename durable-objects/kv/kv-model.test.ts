// A property test of the KV store against a plain Map: any sequence of writes and deletes leaves the
// same keys and values, and no prefix's index ever moves backwards (tombstones), whatever the order.
import fc from 'fast-check';
import { expect, it } from 'vitest';
import type { KvOp } from '../../worker/consul/kv';
import { freshDatacenter, NOW } from '../test-support';

const KEYS = ['a', 'a/b', 'a/c', 'ab', 'b/x', 'b/y/z'];
const PREFIXES = ['', 'a', 'a/', 'b/', 'b/y/', 'zz'];
const bytes = (text: string) => new TextEncoder().encode(text).buffer as ArrayBuffer;
const text = (value: ArrayBuffer | null) => (value ? new TextDecoder().decode(value) : '');

const opArb = fc.oneof(
  fc.record({ Verb: fc.constant('set' as const), Key: fc.constantFrom(...KEYS), value: fc.constantFrom('1', '2', '') }),
  fc.record({ Verb: fc.constant('delete' as const), Key: fc.constantFrom(...KEYS) }),
  fc.record({ Verb: fc.constant('delete-tree' as const), Key: fc.constantFrom(...PREFIXES) }),
);

it('matches a Map model and never moves a prefix index backwards', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 12 }), async (ops) => {
      const dc = freshDatacenter();
      const model = new Map<string, string>();
      const seen = new Map<string, number>();
      for (const op of ops) {
        const kvOp: KvOp = 'value' in op ? { Verb: 'set', Key: op.Key, Value: bytes(op.value) } : { Verb: op.Verb, Key: op.Key };
        expect((await dc.kvsApply(kvOp)).ok).toBe(true);
        if (op.Verb === 'set') model.set(op.Key, op.value);
        else if (op.Verb === 'delete') model.delete(op.Key);
        else for (const key of [...model.keys()]) if (key.startsWith(op.Key)) model.delete(key);
        const { value } = await dc.kvsList('', NOW);
        expect(value.map((e) => [e.Key, text(e.Value)])).toEqual([...model.entries()].sort(([x], [y]) => (x < y ? -1 : 1)));
        for (const prefix of PREFIXES) {
          const { index } = await dc.kvsListKeys(prefix, '', NOW);
          expect(index).toBeGreaterThanOrEqual(seen.get(prefix) ?? 0);
          seen.set(prefix, index);
        }
      }
    }),
    { numRuns: 25 },
  );
});
