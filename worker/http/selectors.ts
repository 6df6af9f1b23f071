// The selection parameters several catalog and health reads share: `?tag=` (all must match,
// case-insensitively) and `?node-meta=key:value` (all pairs must be present).
import type { Context } from 'hono';
import type { StringMap } from '../consul/common';
import { queries } from './flags';

export function tagMatcher(c: Context): (tags: string[]) => boolean {
  const wanted = queries(c, 'tag').map((t) => t.toLowerCase());
  if (!wanted.length) return () => true;
  return (tags) => {
    const have = new Set(tags.map((t) => t.toLowerCase()));
    return wanted.every((t) => have.has(t));
  };
}

export function nodeMetaMatcher(c: Context): (meta: StringMap) => boolean {
  const pairs = queries(c, 'node-meta').map((pair) => {
    const at = pair.indexOf(':');
    return at < 0 ? [pair, ''] : [pair.slice(0, at), pair.slice(at + 1)];
  });
  if (!pairs.length) return () => true;
  return (meta) => pairs.every(([k, v]) => meta[k] === v);
}
