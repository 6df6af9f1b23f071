// `?filter=` on list endpoints: compile once per request, keep the items that match.
// Consul answers a bad expression with this text (500 in older agents); Beacon says 400: it is bad input.
import { compileFilter } from '../filter/evaluate';
import { badRequest } from './errors';

export function applyFilter<T>(expression: string | undefined, items: T[]): T[] {
  if (!expression) return items;
  let matches: (item: unknown) => boolean;
  try {
    matches = compileFilter(expression);
  } catch (err) {
    throw badRequest(`Failed to create boolean expression evaluator: ${(err as Error).message}`);
  }
  return items.filter((item) => matches(item));
}
