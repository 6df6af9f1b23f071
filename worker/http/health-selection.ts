// What a `/v1/health/service/:name` read selects and how it is written: `?passing`, `?tag=` (all, any
// case), `?node-meta=k:v` (all), `?filter=`, `?pretty`. The route reads it from the request; the
// Datacenter object applies it and keeps one text per selection (durable-objects/engine/answer-texts.ts), so the
// variant's key names everything that shapes the bytes (`?near` does not: Beacon has no coordinates).
import type { Context } from 'hono';
import type { ServiceEntry } from '../consul/check';
import { compileFilter } from '../filter/evaluate';
import { applyFilter } from './filter';
import { has, passingFlag, queries } from './flags';

export interface HealthSelection {
  passing: boolean;
  /** Lower-cased, in the order given. */
  tags: string[];
  nodeMeta: [string, string][];
  filter: string;
  pretty: boolean;
}

/** The selection a request asks for; a bad `?passing` or `?filter=` is refused here, before any read. */
export function healthSelection(c: Context): HealthSelection {
  const filter = c.req.query('filter') ?? '';
  // Compiled here only to refuse a bad expression with Consul's 400 text; the object compiles its own.
  applyFilter(filter, []);
  return {
    passing: passingFlag(c),
    tags: queries(c, 'tag').map((t) => t.toLowerCase()),
    nodeMeta: queries(c, 'node-meta').map((pair) => {
      const at = pair.indexOf(':');
      return at < 0 ? [pair, ''] : [pair.slice(0, at), pair.slice(at + 1)];
    }),
    filter,
    pretty: has(c, 'pretty'),
  };
}

/** One string per distinct selection: the key its shared text is kept under. */
export const selectionKey = (s: HealthSelection): string => JSON.stringify([s.passing, s.tags, s.nodeMeta, s.filter, s.pretty]);

/** No selection at all: a plain `GET /v1/health/service/<name>`. */
export const PLAIN_SELECTION: HealthSelection = { passing: false, tags: [], nodeMeta: [], filter: '', pretty: false };

/** What identical watches of a service share one call into the object on: its index (every selection has the same). */
export const healthIndexKey = (dc: string, name: string): string => `${dc}\u0000health.service:${name.toLowerCase()}`;

/** The shared answer text of one selection of a service (worker/http/shared-answers.ts). */
export const healthAnswerKey = (dc: string, name: string, s: HealthSelection): string => `${healthIndexKey(dc, name)}\u0000${selectionKey(s)}`;

export function selectEntries(entries: ServiceEntry[], s: HealthSelection): ServiceEntry[] {
  const matches = s.filter ? compileFilter(s.filter) : undefined;
  return entries.filter((e) => {
    if (s.tags.length) {
      const have = new Set(e.Service.Tags.map((t) => t.toLowerCase()));
      if (!s.tags.every((t) => have.has(t))) return false;
    }
    if (!s.nodeMeta.every(([k, v]) => e.Node.Meta[k] === v)) return false;
    // ?passing drops an instance if any of its checks (node-level included) is not passing.
    if (s.passing && !e.Checks.every((check) => check.Status === 'passing')) return false;
    return !matches || matches(e);
  });
}

/** Consul's compact JSON, or indented with `?pretty`. */
export const answerJson = (value: unknown, pretty: boolean): string => (pretty ? `${JSON.stringify(value, null, 4)}\n` : JSON.stringify(value));
