// Evaluates parsed go-bexpr filter expressions against plain JSON values.
import type { GoRegexp } from '../consul/go-regexp';
import { FilterError, parseFilter, toRegExp, type FilterNode } from './parse';

export { FilterError, parseFilter };
export type { FilterNode };

/** Parses `expression` once and returns a predicate; throws FilterError for a bad expression. */
export function compileFilter(expression: string): (item: unknown) => boolean {
  const node = parseFilter(expression);
  return (item) => evaluateFilter(node, item);
}

export function evaluateFilter(node: FilterNode, item: unknown): boolean {
  switch (node.type) {
    case 'and': return evaluateFilter(node.left, item) && evaluateFilter(node.right, item);
    case 'or': return evaluateFilter(node.left, item) || evaluateFilter(node.right, item);
    case 'not': return !evaluateFilter(node.operand, item);
    case 'match': {
      const field = resolve(item, node.selector);
      const raw = node.value?.raw ?? '';
      switch (node.op) {
        case '==': return equals(field, raw);
        case '!=': return !equals(field, raw);
        case 'is empty': return isEmpty(field);
        case 'is not empty': return !isEmpty(field);
        case 'in': case 'contains': return contains(field, raw);
        case 'not in': case 'not contains': return !contains(field, raw);
        case 'matches': case 'not matches': {
          const regex = node.regex ?? (node.regex = toRegExp(raw));
          return matches(field, regex) === (node.op === 'matches');
        }
      }
    }
  }
  throw new FilterError(`unknown filter node ${JSON.stringify((node as { type?: unknown }).type)}`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Own-property lookup: exact key first, then the first case-insensitive match. */
function lookup(value: unknown, key: string): unknown {
  if (!isRecord(value)) return undefined;
  if (Object.prototype.hasOwnProperty.call(value, key)) return value[key];
  const lower = key.toLowerCase();
  for (const k of Object.keys(value)) if (k.toLowerCase() === lower) return value[k];
  return undefined;
}

/**
 * Walks a selector path. A segment applied to an array projects it: the result is the list of
 * that field across the elements (missing ones dropped, array-valued ones flattened one level).
 */
function resolve(item: unknown, path: readonly string[]): unknown {
  let current = item;
  for (const segment of path) {
    if (Array.isArray(current)) {
      const projected: unknown[] = [];
      for (const element of current) {
        const v = lookup(element, segment);
        if (Array.isArray(v)) projected.push(...v);
        else if (v !== undefined) projected.push(v);
      }
      current = projected;
    } else {
      current = lookup(current, segment);
      if (current === undefined) return undefined;
    }
  }
  return current;
}

const NUMERIC = /^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/;
const TRUE_WORDS = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const FALSE_WORDS = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False']);

/** Equality with the literal coerced to the field's type; on an array, any element may match. */
function equals(field: unknown, raw: string): boolean {
  if (Array.isArray(field)) return field.some((element) => equals(element, raw));
  if (typeof field === 'string') return field === raw;
  if (typeof field === 'number') return NUMERIC.test(raw) && Number(raw) === field;
  if (typeof field === 'boolean') return field ? TRUE_WORDS.has(raw) : FALSE_WORDS.has(raw);
  return false;
}

function isEmpty(field: unknown): boolean {
  if (field === undefined || field === null) return true;
  if (typeof field === 'string' || Array.isArray(field)) return field.length === 0;
  if (isRecord(field)) return Object.keys(field).length === 0;
  return false;
}

/** Array: membership; object: key presence; string: substring. Anything else: false. */
function contains(field: unknown, raw: string): boolean {
  if (Array.isArray(field)) return field.some((element) => !Array.isArray(element) && equals(element, raw));
  if (typeof field === 'string') return field.includes(raw);
  if (isRecord(field)) return Object.prototype.hasOwnProperty.call(field, raw);
  return false;
}

function matches(field: unknown, regex: GoRegexp): boolean {
  if (Array.isArray(field)) return field.some((element) => matches(element, regex));
  return typeof field === 'string' && regex.test(field);
}
