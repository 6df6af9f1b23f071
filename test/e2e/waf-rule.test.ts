// The WAF custom rule docs/deploying.md gives for Cloudflare's edge, read from the page itself and run over
// attack and legitimate paths, beside the worker's rule (worker/http/dot-segments.ts) and the path guard's
// (scripts/path-guard/request-head.ts): all three must agree. It pins the expression, not the edge: the rule
// has not been tried on a live zone.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { hasDotSegment as guardSees } from '../../scripts/path-guard/request-head';
import { hasDotSegment as workerSees } from '../../worker/http/dot-segments';
import { rawPath } from '../../worker/http/path';

const doc = readFileSync(new URL('../../docs/deploying.md', import.meta.url), 'utf8');
/** The string literal after `raw.http.request.uri.path matches`, unescaped as Cloudflare's rules language does (`\\` → `\`, `\"` → `"`). */
const literal = /`raw\.http\.request\.uri\.path matches "((?:[^"\\]|\\.)*)"`/.exec(doc)?.[1];
const source = literal?.replace(/\\(.)/g, '$1');

/** `raw.http.request.uri.path`: the path as the request line has it, without the query. */
const edgePath = (target: string) => target.split('?')[0];

const ATTACKS = [
  '/v1/kv/app/..',
  '/v1/kv/app/..?recurse',
  '/v1/kv/app/../x',
  '/v1/kv/app/./x',
  '/v1/kv/app/.',
  '/v1/kv/app/.?recurse',
  '/v1/kv/app/%2e%2e',
  '/v1/kv/app/%2E%2E?recurse',
  '/v1/kv/app/%2e%2E/x',
  '/v1/kv/app/.%2E/x',
  '/v1/kv/app/%2e./x',
  '/v1/kv/app/%2E',
  '/v1/kv/app\\..\\x',
  '/v1/kv/app\\..',
  '/v1/kv/app/..\\x',
  '/v1/kv/app\\.\\x',
  '/v1/kv/app\\%2e%2e?recurse',
  '/..',
  '/./v1/kv/x',
];
const LEGITIMATE = [
  '/v1/kv/a.b',
  '/v1/kv/...',
  '/v1/kv/.../x',
  '/v1/kv/.hidden',
  '/v1/kv/a..b',
  '/v1/kv/..a',
  '/v1/kv/a./b',
  '/v1/kv/%2e%2e%2e',
  '/v1/kv/a%2eb',
  '/v1/kv/%252e%252e',
  '/v1/kv/x?key=/../',
  '/v1/kv/x?recurse&sep=/./',
  '/v1/catalog/service/web.v2',
  '/',
];

describe('the WAF rule in docs/deploying.md', () => {
  it('is there, in the regex subset Rust\'s regex and JavaScript read alike (no lookaround, backreferences or class escapes)', () => {
    expect(source).toBeDefined();
    // Literals, groups without `(?`, alternation, anchors, bracket classes, bounded repeats, and only `\.` `\\` `\/` escapes.
    expect(source).toMatch(/^(?:[^\\(]|\\[.\\/]|\((?!\?))*$/);
    expect(() => new RegExp(source!)).not.toThrow();
  });

  const rule = () => new RegExp(source!);
  it.each(ATTACKS)('blocks %s, as the worker and the guard refuse it', (target) => {
    expect([rule().test(edgePath(target)), workerSees(rawPath(`https://beacon.example${target}`)), guardSees(Buffer.from(target, 'latin1'), 0, target.length)]).toEqual([true, true, true]);
  });
  it.each(LEGITIMATE)('lets %s through, as the worker and the guard do', (target) => {
    expect([rule().test(edgePath(target)), workerSees(rawPath(`https://beacon.example${target}`)), guardSees(Buffer.from(target, 'latin1'), 0, target.length)]).toEqual([false, false, false]);
  });
});
