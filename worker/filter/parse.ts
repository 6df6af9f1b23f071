// Recursive-descent parser for Consul's `?filter=` expressions (the hashicorp/go-bexpr grammar) over the
// tokens of tokenize.ts. Precedence: `not` > `and` > `or`.
import type { GoRegexp } from '../consul/go-regexp';
import { FilterError, tokenize, toRegExp, type Token } from './tokenize';

export { FilterError, toRegExp };

export type MatchOperator =
  | '==' | '!=' | 'is empty' | 'is not empty' | 'in' | 'not in'
  | 'contains' | 'not contains' | 'matches' | 'not matches';

/** A literal: `raw` is the decoded text; `kind` records how it was written. */
export interface FilterValue { raw: string; kind: 'string' | 'raw' | 'number' | 'bare' }

export type FilterNode =
  | { type: 'and' | 'or'; left: FilterNode; right: FilterNode }
  | { type: 'not'; operand: FilterNode }
  | { type: 'match'; op: MatchOperator; selector: string[]; value?: FilterValue; regex?: GoRegexp };

const KEYWORDS = new Set(['and', 'or', 'not', 'in', 'is', 'empty', 'contains', 'matches']);

function describe(t: Token): string {
  if (t.type === 'eof') return 'end of expression';
  if (t.type === 'string' || t.type === 'raw') return 'a quoted string';
  return JSON.stringify(t.text);
}

const OPERATORS = '"==", "!=", "is", "in", "contains", "matches" or "not"';

class Parser {
  private i = 0;
  constructor(private readonly toks: Token[]) {}

  private peek(k = 0): Token { return this.toks[Math.min(this.i + k, this.toks.length - 1)]; }
  private isWord(t: Token, ...words: string[]): boolean { return t.type === 'ident' && words.includes(t.text); }
  private isPunct(t: Token, ...ps: string[]): boolean { return t.type === 'punct' && ps.includes(t.text); }
  private isSelectorStart(t: Token): boolean { return t.type === 'ident' && !KEYWORDS.has(t.text); }
  private isLiteral(t: Token): t is Token & { type: FilterValue['kind'] } {
    return t.type === 'string' || t.type === 'raw' || t.type === 'number';
  }
  /** Consumes the next token if it is the given keyword. */
  private accept(word: string): boolean { const ok = this.isWord(this.peek(), word); if (ok) this.i++; return ok; }
  private expect(ok: boolean, expected: string): void { if (!ok) this.fail(expected); this.i++; }
  private fail(expected: string, t: Token = this.peek()): never {
    throw new FilterError(`expected ${expected}, found ${describe(t)}`, t.pos);
  }

  parseExpression(): FilterNode {
    const node = this.parseOr();
    if (this.peek().type !== 'eof') this.fail('"and", "or" or the end of the expression');
    return node;
  }

  private parseOr(): FilterNode {
    let left = this.parseAnd();
    while (this.accept('or')) left = { type: 'or', left, right: this.parseAnd() };
    return left;
  }

  private parseAnd(): FilterNode {
    let left = this.parseUnary();
    while (this.accept('and')) left = { type: 'and', left, right: this.parseUnary() };
    return left;
  }

  private parseUnary(): FilterNode {
    if (this.accept('not')) return { type: 'not', operand: this.parseUnary() };
    if (!this.isPunct(this.peek(), '(')) return this.parseMatch();
    this.i++;
    const inner = this.parseOr();
    this.expect(this.isPunct(this.peek(), ')'), '")"');
    return inner;
  }

  private parseMatch(): FilterNode {
    if (this.isLiteral(this.peek())) return this.parseIn(this.parseValue('a value'));
    if (!this.isSelectorStart(this.peek())) this.fail('a selector or a value');
    const { path, plain } = this.parseSelector();
    const [op, next] = [this.peek(), this.peek(1)];
    if (plain && (this.isWord(op, 'in') || (this.isWord(op, 'not') && this.isWord(next, 'in')))) {
      return this.parseIn({ raw: path.join('.'), kind: 'bare' });
    }
    if (this.accept('is')) {
      const negated = this.accept('not');
      this.expect(this.isWord(this.peek(), 'empty'), '"empty"');
      return { type: 'match', op: negated ? 'is not empty' : 'is empty', selector: path };
    }
    let name: MatchOperator;
    if (this.isPunct(op, '==', '!=') || this.isWord(op, 'contains', 'matches')) name = op.text as MatchOperator;
    else if (this.isWord(op, 'not') && this.isWord(next, 'contains', 'matches')) name = `not ${next.text}` as MatchOperator;
    else return this.fail(`an operator (${OPERATORS})`);
    this.i += name.startsWith('not ') ? 2 : 1;
    const valuePos = this.peek().pos;
    const value = this.parseValue(`a value after "${name}"`);
    const node: FilterNode = { type: 'match', op: name, selector: path, value };
    if (name.endsWith('matches')) node.regex = toRegExp(value.raw, valuePos);
    return node;
  }

  /** `<Value> in <Selector>` / `<Value> not in <Selector>`, with the value already read. */
  private parseIn(value: FilterValue): FilterNode {
    const negated = this.accept('not');
    this.expect(this.isWord(this.peek(), 'in'), '"in"');
    if (!this.isSelectorStart(this.peek())) this.fail('a selector after "in"');
    return { type: 'match', op: negated ? 'not in' : 'in', selector: this.parseSelector().path, value };
  }

  private parseValue(expected: string): FilterValue {
    const t = this.peek();
    if (this.isLiteral(t)) { this.i++; return { raw: t.text, kind: t.type }; }
    if (!this.isSelectorStart(t)) this.fail(expected);
    const { path, plain } = this.parseSelector();
    if (!plain) this.fail(`${expected} (quote values containing "[")`, t);
    return { raw: path.join('.'), kind: 'bare' };
  }

  /** Selector: Ident ( "." Ident | "[" quoted-key "]" )*, with no spaces before "." / "[". */
  private parseSelector(): { path: string[]; plain: boolean } {
    let prev = this.toks[this.i++];
    const path = [prev.text];
    let plain = true;
    for (let t = this.peek(); t.pos === prev.end && this.isPunct(t, '.', '['); t = this.peek()) {
      this.i++;
      const seg = this.peek();
      if (t.text === '.') {
        this.expect(seg.type === 'ident' && seg.pos === t.end, 'a field name after "."');
        prev = seg;
      } else {
        this.expect(seg.type === 'string' || seg.type === 'raw', 'a quoted key after "["');
        prev = this.peek();
        this.expect(this.isPunct(prev, ']'), '"]"');
        plain = false;
      }
      path.push(seg.text);
    }
    return { path, plain };
  }
}

/** Parses a go-bexpr filter expression into an AST; throws FilterError on bad syntax. */
export function parseFilter(expression: string): FilterNode {
  if (expression.trim() === '') throw new FilterError('empty filter expression', 0);
  return new Parser(tokenize(expression)).parseExpression();
}
