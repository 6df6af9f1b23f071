// Go's regexp (RE2) for every user-supplied pattern: ?filter= `matches`, prepared-query template Regexp
// and user-event filters. re2js runs in linear time, so no pattern can stall the worker (ReDoS), and it
// takes Go's syntax and refuses what Go refuses (lookaround, backreferences) with Go's error text.
import { RE2JS } from 're2js';

export type GoRegexp = RE2JS;

/** Compiles `pattern` as Go's regexp.Compile does; throws an Error whose message is Go's (`error parsing regexp: …`). */
export function compileGoRegexp(pattern: string): GoRegexp {
  try {
    return RE2JS.compile(pattern);
  } catch (err) {
    throw new Error(err instanceof Error ? err.message : String(err));
  }
}

/** Go's reason for refusing `pattern`, or undefined when it compiles. */
export function goRegexpProblem(pattern: string): string | undefined {
  try {
    compileGoRegexp(pattern);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}
