// The character reader under hcl v1's scanner (hcl/scanner next/unread/peek/err): positions are
// line:column with columns counted in characters, and reading past the end still moves the column
// (hence `not_hcl` fails `At 1:9`). Consul's parse errors quote these positions.

export interface Pos { line: number; column: number }
interface Cursor { off: number; line: number; column: number }

export const EOF = -1;
export const ch = (s: string) => s.charCodeAt(0);
export const isLetter = (c: number) =>
  (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || (c >= 0x80 && /\p{L}/u.test(String.fromCodePoint(c)));
export const isDigit = (c: number) => (c >= 48 && c <= 57) || (c >= 0x80 && /\p{Nd}/u.test(String.fromCodePoint(c)));
export const isDecimal = (c: number) => c >= 48 && c <= 57;
export const isHex = (c: number) => isDecimal(c) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
export const digitVal = (c: number) => (isDecimal(c) ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : 16);

export class Reader {
  protected cur: Cursor = { off: 0, line: 1, column: 0 };
  private prevOff = 0;
  private prevLine = 1;
  private prevColumn = 0;
  protected lastCharLen = 0;
  protected lastLineLen = 0;
  /** The last scanner error, as the parser reports it (`L:C: msg`). */
  error: { pos: Pos; msg: string } | undefined;

  constructor(protected readonly src: string) {}

  protected next(): number {
    if (this.cur.off >= this.src.length) {
      this.cur.column++;
      this.lastCharLen = 0;
      return EOF;
    }
    const c = this.src.codePointAt(this.cur.off)!;
    this.prevOff = this.cur.off;
    this.prevLine = this.cur.line;
    this.prevColumn = this.cur.column;
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

  protected unread(): void {
    this.cur.off = this.prevOff;
    this.cur.line = this.prevLine;
    this.cur.column = this.prevColumn;
  }

  protected peek(): number { return this.cur.off < this.src.length ? this.src.codePointAt(this.cur.off)! : EOF; }

  /** The start of the token just begun by next() (the previous line's end after a newline). */
  protected tokenPos(): Pos {
    return this.cur.column > 0 ? { line: this.cur.line, column: this.cur.column } : { line: this.cur.line - 1, column: this.lastLineLen };
  }

  /** Records an error at recentPosition(); hcl keeps only the last one. */
  protected err(msg: string): void {
    const { line, column } = this.cur;
    const pos = column > 0 ? { line, column } : this.lastLineLen > 0 ? { line: line - 1, column: this.lastLineLen } : { line: 1, column: 1 };
    this.error = { pos, msg };
  }
}
