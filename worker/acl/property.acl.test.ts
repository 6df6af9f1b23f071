// Property: random KV and service requests with random tokens, against a model of the rules (exact beats
// longest prefix beats the default `deny`; across policies deny > write > read). No request changes or
// reveals anything its token may not, and everything it may do is allowed.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { uniq } from '../test-support';
import { as, MANAGEMENT_TOKEN, ok } from './test-support';

const NAMES = ['a', 'a/b', 'ab', 'b'];
const LEVELS = ['deny', 'read', 'write'] as const;
type Level = (typeof LEVELS)[number];
type Rule = { kind: 'key' | 'service'; prefix: boolean; name: string; level: Level };
const RANK: Record<Level, number> = { read: 1, write: 2, deny: 3 };

/** The model: the strongest level among rules of the same kind and name, exact first, then longest prefix. */
function modelLevel(rules: Rule[], kind: Rule['kind'], segment: string): Level | undefined {
  const pick = (rs: Rule[]) => rs.reduce<Level | undefined>((best, r) => (!best || RANK[r.level] > RANK[best] ? r.level : best), undefined);
  const exact = pick(rules.filter((r) => r.kind === kind && !r.prefix && r.name === segment));
  if (exact) return exact;
  const prefixes = rules.filter((r) => r.kind === kind && r.prefix && segment.startsWith(r.name));
  const longest = Math.max(-1, ...prefixes.map((r) => r.name.length));
  return pick(prefixes.filter((r) => r.name.length === longest));
}
const may = (rules: Rule[], kind: Rule['kind'], segment: string, need: 'read' | 'write') => {
  const level = modelLevel(rules, kind, segment);
  return level === 'write' || (need === 'read' && level === 'read');
};

const ruleArb = fc.record({ kind: fc.constantFrom('key' as const, 'service' as const), prefix: fc.boolean(), name: fc.constantFrom('', 'a', 'a/b'), level: fc.constantFrom(...LEVELS) });
const requestArb = fc.record({ op: fc.constantFrom('kv-get', 'kv-put', 'kv-list', 'service-register', 'catalog-services'), name: fc.constantFrom(...NAMES) });

describe('ACL model property', () => {
  it('no request changes or reveals anything its token may not', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(ruleArb, { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 3 }), fc.array(requestArb, { minLength: 1, maxLength: 4 }), async (policies, requests) => {
        const ns = `${uniq('prop')}-`;
        for (const name of NAMES) await ok(as(MANAGEMENT_TOKEN, `/v1/kv/${ns}${name}`, { body: 'seed' }));
        const rules = policies.flat().map((r) => ({ ...r, name: ns + r.name }));
        const ids: string[] = [];
        for (const p of policies) {
          const text = p.map((r) => `${r.kind}${r.prefix ? '_prefix' : ''} "${ns}${r.name}" { policy = "${r.level}" }`).join('\n');
          ids.push((await ok<{ ID: string }>(as(MANAGEMENT_TOKEN, '/v1/acl/policy', { body: { Name: uniq('prop'), Rules: text } }))).ID);
        }
        const token = (await ok<{ SecretID: string }>(as(MANAGEMENT_TOKEN, '/v1/acl/token', { body: { Policies: ids.map((ID) => ({ ID })) } }))).SecretID;
        for (const req of requests) {
          const segment = ns + req.name;
          switch (req.op) {
            case 'kv-get': {
              const res = await as(token, `/v1/kv/${segment}`);
              expect(res.status).toBe(may(rules, 'key', segment, 'read') ? 200 : 403);
              break;
            }
            case 'kv-put': {
              const res = await as(token, `/v1/kv/${segment}`, { body: 'changed' });
              const allowed = may(rules, 'key', segment, 'write');
              expect(res.status).toBe(allowed ? 200 : 403);
              const value = await (await as(MANAGEMENT_TOKEN, `/v1/kv/${segment}?raw`)).text();
              expect(value).toBe(allowed ? 'changed' : 'seed');
              break;
            }
            case 'kv-list': {
              const res = await as(token, `/v1/kv/${ns}?keys`);
              const readable = NAMES.map((n) => ns + n).filter((k) => may(rules, 'key', k, 'read'));
              const listed = res.status === 200 ? ((await res.json()) as string[]) : [];
              expect([...listed].sort()).toEqual([...readable].sort());
              break;
            }
            case 'service-register': {
              const res = await as(token, '/v1/agent/service/register', { body: { Name: segment.replace(/\//g, '-'), ID: uniq('s') } });
              expect(res.status).toBe(may(rules, 'service', segment.replace(/\//g, '-'), 'write') ? 200 : 403);
              break;
            }
            case 'catalog-services': {
              const res = await as(token, '/v1/catalog/services');
              const names = Object.keys((await res.json()) as object);
              for (const n of names) expect(may(rules, 'service', n, 'read')).toBe(true);
              break;
            }
          }
        }
      }),
      {
        seed: 20261201,
        numRuns: 25,
        // Merging across policies, pinned: deny beats write for the same rule; a longer prefix beats a shorter one.
        examples: [
          [[[{ kind: 'key', prefix: false, name: 'a', level: 'write' }], [{ kind: 'key', prefix: false, name: 'a', level: 'deny' }]], [{ op: 'kv-put', name: 'a' }]],
          [[[{ kind: 'key', prefix: true, name: '', level: 'write' }, { kind: 'key', prefix: true, name: 'a', level: 'deny' }]], [{ op: 'kv-list', name: 'a' }, { op: 'kv-put', name: 'b' }]],
          [[[{ kind: 'service', prefix: true, name: 'a', level: 'read' }], [{ kind: 'service', prefix: true, name: 'a', level: 'write' }]], [{ op: 'service-register', name: 'ab' }]],
        ],
      },
    );
    // Each run writes a policy, a token and four keys through the real worker; bounded, but slow on 2 cores.
  }, 180_000);
});
