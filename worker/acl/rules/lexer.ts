// The HCL v1 scanner (hashicorp/hcl hcl/scanner), behaviour for behaviour: the same tokens, the
// same positions (line:column, columns counted in characters, the quirky EOF column included) and
// the same error texts, because Consul's parse errors quote them.

export type TokenType =
  | 'ILLEGAL' | 'EOF' | 'COMMENT' | 'IDENT' | 'NUMBER' | 'FLOAT' | 'BOOL' | 'STRING' | 'HEREDOC'
  | 'LBRACK' | 'RBRACK' | 'LBRACE' | 'RBRACE' | 'COMMA' | 'PERIOD' | 'ASSIGN' | 'ADD' | 'SUB';
export interface Pos { line: number; column: number }
/** `value` is set by the JSON parser, whose strings are already decoded. */
export interface Token { type: TokenType; pos: Pos; text: string; value?: string }

const EOF = -1;
const PUNCT: Record<string, TokenType> = {
  '[': 'LBRACK', ']': 'RBRACK', '{': 'LBRACE', '}': 'RBRACE', ',': 'COMMA', '=': 'ASSIGN', '+': 'ADD',
};

const isLetter = (c: number) =>
  (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || (c >= 0x80 && /\p{L}/u.test(String.fromCodePoint(c)));
const isDigit = (c: number) => (c >= 48 && c <= 57) || (c >= 0x80 && /\p{Nd}/u.test(String.fromCodePoint(c)));
const isDecimal = (c: number) => c >= 48 && c <= 57;
const isHex = (c: number) => isDecimal(c) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
const digitVal = (c: number) => (isDecimal(c) ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : 16);
const ch = (s: string) => s.charCodeAt(0);

interface Cursor { off: number; line: number; column: number }

export class Scanner {
  private cur: Cursor = { off: 0, line: 1, column: 0 };
  private prev: Cursor = { off: 0, line: 1, column: 0 };
  private lastCharLen = 0;
  private lastLineLen = 0;
  /** The last scanner error, as the parser reports it (`L:C: msg`). */
  error: { pos: Pos; msg: string } | undefined;

  constructor(private readonly src: string) {}

  private next(): number {
    if (this.cur.off >= this.src.length) {
      this.cur.column++;
      this.lastCharLen = 0;
      return EOF;
    }
    const c = this.src.codePointAt(this.cur.off)!;
    this.prev = { ...this.cur };
    this.cur.column++;
    this.lastCharLen = c > 0xffff ? 2 : 1;
    this.cur.off += this.lastCharLen;
    if (c === 10) {
      this.cur.line++;
      this.lastLineLen = this.cur.column;
      this.cur.column = 0;
    }
    return c;
  }

  private unread(): void { this.cur = { ...this.prev }; }

  private peek(): number { return this.cur.off < this.src.length ? this.src.codePointAt(this.cur.off)! : EOF; }

  private err(msg: string): void {
    const { line, column } = this.cur;
    const pos = column > 0 ? { line, column } : this.lastLineLen > 0 ? { line: line - 1, column: this.lastLineLen } : { line: 1, column: 1 };
    this.error = { pos, msg };
  }

  scan(): Token {
    let c = this.next();
    while (c === 32 || c === 9 || c === 10 || c === 13) c = this.next();
    const start = this.cur.off - this.lastCharLen;
    const pos = this.cur.column > 0
      ? { line: this.cur.line, column: this.cur.column }
      : { line: this.cur.line - 1, column: this.lastLineLen };
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
      type = 'STRING';
      this.scanString();
    } else if (c === ch('#') || c === ch('/')) {
      type = 'COMMENT';
      this.scanComment(c);
    } else if (c === ch('.')) {
      type = 'PERIOD';
      if (isDecimal(this.peek())) {
        type = 'FLOAT';
        this.scanExponent(this.scanMantissa(this.peek()));
      }
    } else if (c === ch('<')) {
      type = 'HEREDOC';
      this.scanHeredoc();
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
        c = this.next();
        let found = false;
        while (isHex(c)) { c = this.next(); found = true; }
        if (!found) this.err('illegal hexadecimal number');
        if (c !== EOF) this.unread();
        return 'NUMBER';
      }
      let illegalOctal = false;
      while (isDecimal(c)) {
        c = this.next();
        if (c === ch('8') || c === ch('9')) illegalOctal = true;
      }
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
    while (n > 0 && digitVal(c) < base) {
      c = this.next();
      if (c === EOF) break;
      n--;
    }
    if (n > 0) this.err('illegal char escape');
    if (n !== start) this.unread();
  }
}
