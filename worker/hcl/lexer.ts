// The HCL v1 scanner (hashicorp/hcl hcl/scanner), behaviour for behaviour: the same tokens, the
// same positions (see reader.ts) and the same error texts, because Consul's parse errors quote them.
import { ch, digitVal, EOF, isDecimal, isDigit, isHex, isLetter, Reader, type Pos } from './reader';

export type TokenType =
  | 'ILLEGAL' | 'EOF' | 'COMMENT' | 'IDENT' | 'NUMBER' | 'FLOAT' | 'BOOL' | 'STRING' | 'HEREDOC'
  | 'LBRACK' | 'RBRACK' | 'LBRACE' | 'RBRACE' | 'COMMA' | 'PERIOD' | 'ASSIGN' | 'ADD' | 'SUB';
export type { Pos };
/** `value` is set by the JSON parser, whose strings are already decoded. */
export interface Token { type: TokenType; pos: Pos; text: string; value?: string }

const PUNCT: Record<string, TokenType> = {
  '[': 'LBRACK', ']': 'RBRACK', '{': 'LBRACE', '}': 'RBRACE', ',': 'COMMA', '=': 'ASSIGN', '+': 'ADD',
};

export class Scanner extends Reader {
  scan(): Token {
    let c = this.next();
    while (c === 32 || c === 9 || c === 10 || c === 13) c = this.next();
    const start = this.cur.off - this.lastCharLen;
    const pos = this.tokenPos();
    let type: TokenType = 'ILLEGAL';
    if (isLetter(c)) {
      this.scanIdentifier();
      const text = this.src.slice(start, this.cur.off);
      type = text === 'true' || text === 'false' ? 'BOOL' : 'IDENT';
    } else if (isDecimal(c)) {
      type = this.scanNumber(c);
    } else if (c === EOF) {
      type = 'EOF';
    } else if (c === ch('"')) {
      [type] = ['STRING', this.scanString()];
    } else if (c === ch('#') || c === ch('/')) {
      [type] = ['COMMENT', this.scanComment(c)];
    } else if (c === ch('.')) {
      type = 'PERIOD';
      if (isDecimal(this.peek())) {
        type = 'FLOAT';
        this.scanExponent(this.scanMantissa(this.peek()));
      }
    } else if (c === ch('<')) {
      [type] = ['HEREDOC', this.scanHeredoc()];
    } else if (c === ch('-')) {
      type = isDecimal(this.peek()) ? this.scanNumber(this.next()) : 'SUB';
    } else if (PUNCT[String.fromCodePoint(c)]) {
      type = PUNCT[String.fromCodePoint(c)];
    } else {
      this.err('illegal char');
    }
    return { type, pos, text: this.src.slice(Math.max(start, 0), this.cur.off) };
  }

  private scanIdentifier(): void {
    let c = this.next();
    while (isLetter(c) || isDigit(c) || c === ch('-') || c === ch('.')) c = this.next();
    if (c !== EOF) this.unread();
  }

  private scanComment(c: number): void {
    if (c === ch('#') || (c === ch('/') && this.peek() !== ch('*'))) {
      do c = this.next(); while (c !== 10 && c !== EOF);
      if (c !== EOF) this.unread();
      return;
    }
    this.next();
    c = this.next();
    for (;;) {
      if (c === EOF) return this.err('comment not terminated');
      const c0 = c;
      c = this.next();
      if (c0 === ch('*') && c === ch('/')) return;
    }
  }

  private scanNumber(c: number): TokenType {
    if (c === ch('0')) {
      c = this.next();
      if (c === ch('x') || c === ch('X')) {
        let found = false;
        for (c = this.next(); isHex(c); c = this.next()) found = true;
        if (!found) this.err('illegal hexadecimal number');
        if (c !== EOF) this.unread();
        return 'NUMBER';
      }
      let illegalOctal = false;
      while (isDecimal(c)) if ((c = this.next()) === ch('8') || c === ch('9')) illegalOctal = true;
      if (c === ch('e') || c === ch('E')) { this.scanExponent(c); return 'FLOAT'; }
      if (c === ch('.')) return this.fraction(c);
      if (illegalOctal) this.err('illegal octal number');
      if (c !== EOF) this.unread();
      return 'NUMBER';
    }
    this.scanMantissa(c);
    c = this.next();
    if (c === ch('e') || c === ch('E')) { this.scanExponent(c); return 'FLOAT'; }
    if (c === ch('.')) return this.fraction(c);
    if (c !== EOF) this.unread();
    return 'NUMBER';
  }

  private fraction(c: number): TokenType {
    c = this.scanMantissa(this.peek());
    if (c === ch('e') || c === ch('E')) this.scanExponent(this.next());
    return 'FLOAT';
  }

  private scanMantissa(c: number): number {
    let scanned = false;
    while (isDecimal(c)) { c = this.next(); scanned = true; }
    if (scanned && c !== EOF) this.unread();
    return c;
  }

  private scanExponent(c: number): number {
    if (c !== ch('e') && c !== ch('E')) return c;
    c = this.next();
    if (c === ch('-') || c === ch('+')) c = this.next();
    return this.scanMantissa(c);
  }

  private scanHeredoc(): void {
    if (this.next() !== ch('<')) return this.err("heredoc expected second '<', didn't see it");
    const offs = this.cur.off;
    let c = this.next();
    if (c === ch('-')) c = this.next();
    while (isLetter(c) || isDigit(c)) c = this.next();
    if (c === EOF) return this.err('heredoc not terminated');
    if (c === 13 && this.peek() === 10) c = this.next();
    if (c !== 10) return this.err('invalid characters in heredoc anchor');
    const anchor = this.src.slice(offs, this.cur.off - this.lastCharLen);
    if (anchor === '') return this.err('zero-length heredoc anchor');
    const ident = anchor.startsWith('-') ? anchor.slice(1) : anchor;
    let lineStart = this.cur.off;
    for (;;) {
      const d = this.next();
      if (d === 10) {
        const line = this.src.slice(lineStart, this.cur.off - 1);
        // hcl matches `[[:space:]]*ANCHOR\z` unanchored: any line ending in the anchor ends the heredoc.
        if (line.length >= anchor.length && line.endsWith(ident)) return;
        lineStart = this.cur.off;
      }
      if (d === EOF) return this.err('heredoc not terminated');
    }
  }

  private scanString(): void {
    let braces = 0;
    for (;;) {
      const c = this.next();
      if (c === EOF) return this.err('literal not terminated');
      if (c === ch('"') && braces === 0) return;
      if (braces === 0 && c === ch('$') && this.peek() === ch('{')) { braces++; this.next(); }
      else if (braces > 0 && c === ch('{')) braces++;
      if (braces > 0 && c === ch('}')) braces--;
      if (c === ch('\\')) this.scanEscape();
    }
  }

  private scanEscape(): void {
    const c = this.next();
    if ('abfnrtv\\"'.includes(String.fromCodePoint(Math.max(c, 0)))) return;
    if (c >= ch('0') && c <= ch('7')) return this.scanDigits(c, 8, 3);
    const width = c === ch('x') ? 2 : c === ch('u') ? 4 : c === ch('U') ? 8 : 0;
    if (width) return this.scanDigits(this.next(), 16, width);
    this.err('illegal char escape');
  }

  private scanDigits(c: number, base: number, n: number): void {
    const start = n;
    for (; n > 0 && digitVal(c) < base; n--) if ((c = this.next()) === EOF) break;
    if (n > 0) this.err('illegal char escape');
    if (n !== start) this.unread();
  }
}
