// The lexer for Consul's `?filter=` expressions (hashicorp/go-bexpr): Go-style quoted and raw strings,
// numbers, identifiers and punctuation, each token with its offset for error messages.
import { compileGoRegexp, type GoRegexp } from '../consul/go-regexp';

export class FilterError extends Error {
  /** 0-based character offset of the problem in the expression, when known. */
  readonly offset: number | undefined;
  constructor(message: string, offset?: number) {
    super(offset === undefined ? message : `syntax error at offset ${offset}: ${message}`);
    this.name = 'FilterError';
    this.offset = offset;
  }
}

/** Compiles a `matches` pattern with Go's RE2 semantics (linear time); throws FilterError when Go would refuse it. */
export function toRegExp(pattern: string, offset?: number): GoRegexp {
  try {
    return compileGoRegexp(pattern);
  } catch (err) {
    throw new FilterError(`invalid regular expression ${JSON.stringify(pattern)}: ${(err as Error).message}`, offset);
  }
}

export type TokenType = 'ident' | 'string' | 'raw' | 'number' | 'punct' | 'eof';
export interface Token { type: TokenType; text: string; pos: number; end: number }

const PUNCT = /==|!=|[()[\].]/y;
const IDENT = /[A-Za-z_][A-Za-z0-9_]*/y;
const NUMBER = /-?[0-9]+(?:\.[0-9]+)?/y;
const QUOTED = /"((?:[^"\\]|\\[\s\S])*)"/y;
const ESCAPE = /\\(?:x([0-9A-Fa-f]{2})|u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|([\s\S]))/g;
const SIMPLE_ESCAPES: Record<string, string> = {
  n: '\n', t: '\t', r: '\r', a: '\x07', b: '\b', f: '\f', v: '\v', '\\': '\\', '"': '"', "'": "'", '/': '/',
};

/** Reads a Go-style double-quoted string starting at `start`. */
function readQuoted(src: string, start: number): Token {
  QUOTED.lastIndex = start;
  const m = QUOTED.exec(src);
  if (!m) throw new FilterError('unterminated string', start);
  const text = m[1].replace(ESCAPE, (_: string, x?: string, u?: string, U?: string, c?: string, at = 0) => {
    const code = parseInt(x ?? u ?? U ?? '', 16);
    if (code <= 0x10ffff) return String.fromCodePoint(code);
    if (c !== undefined && Object.prototype.hasOwnProperty.call(SIMPLE_ESCAPES, c)) return SIMPLE_ESCAPES[c];
    throw new FilterError('invalid escape sequence in string', start + 1 + at);
  });
  return { type: 'string', text, pos: start, end: start + m[0].length };
}

export function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (c === ' ' || c === '\t' || c === '\r' || c === '\n') { i++; continue; }
    PUNCT.lastIndex = i;
    const punct = PUNCT.exec(src)?.[0];
    if (punct) {
      out.push({ type: 'punct', text: punct, pos: i, end: i + punct.length });
    } else if (c === '"') {
      out.push(readQuoted(src, i));
    } else if (c === '`') {
      const close = src.indexOf('`', i + 1);
      if (close < 0) throw new FilterError('unterminated raw string', i);
      out.push({ type: 'raw', text: src.slice(i + 1, close), pos: i, end: close + 1 });
    } else {
      NUMBER.lastIndex = IDENT.lastIndex = i;
      const num = NUMBER.exec(src);
      const ident = num ? null : IDENT.exec(src);
      const m = num ?? ident;
      if (!m) throw new FilterError(`unexpected character ${JSON.stringify(c)}`, i);
      const end = i + m[0].length;
      if (num && /[A-Za-z0-9_.]/.test(src[end] ?? '')) throw new FilterError('malformed number', i);
      out.push({ type: num ? 'number' : 'ident', text: m[0], pos: i, end });
    }
    i = out[out.length - 1].end;
  }
  out.push({ type: 'eof', text: '', pos: src.length, end: src.length });
  return out;
}
