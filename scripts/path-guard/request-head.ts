// One HTTP/1.1 request head (request line + header lines) read straight from the bytes, never decoded to a
// string: the request target's dot segments, and the two headers that frame the body. workerd's HTTP server
// (capnproto's kj/compat/http.c++) reads the same bytes; wherever its reading and ours could differ, the head
// is `malformed` and the guard answers 400 and closes, so no byte it lets through can frame differently there.
export type Framing = { kind: 'none' } | { kind: 'length'; length: number } | { kind: 'chunked' };

export interface RequestHead {
  /** The path (before `?` or `#`) holds a `.` or `..` segment, raw or `%2e`-encoded, `/` or `\` separated. */
  dotSegment: boolean;
  malformed: boolean;
  framing: Framing;
  head: boolean;
  /** The client wants the connection closed after this answer (HTTP/1.0, `Connection: close`). */
  close: boolean;
  expectContinue: boolean;
}

const LF = 0x0a;
const CR = 0x0d;
const SP = 0x20;
const HT = 0x09;
const DOT = 0x2e;
const SLASH = 0x2f;
const BACKSLASH = 0x5c;
const PERCENT = 0x25;
const QUESTION = 0x3f;
const HASH = 0x23;
const COLON = 0x3a;
const NONE: Framing = { kind: 'none' };
const CHUNKED: Framing = { kind: 'chunked' };

/**
 * The first `byte` in buf[from, end), or -1. A plain loop: a request head is a few hundred bytes, and each
 * `Buffer.indexOf` is a call into C++ that costs more than scanning them (measured: ~4 µs a head with
 * indexOf, a fraction of that without).
 */
export function find(buf: Buffer, byte: number, from: number, end = buf.length): number {
  for (let i = from; i < end; i++) if (buf[i] === byte) return i;
  return -1;
}

/** Index just past the blank line that ends a head starting at `from` (`\n\n` or `\n\r\n`, as kj), or -1. */
export function headEnd(buf: Buffer, from: number): number {
  let lf = find(buf, LF, from);
  while (lf >= 0) {
    const next = buf[lf + 1];
    if (next === LF) return lf + 2;
    if (next === CR && buf[lf + 2] === LF) return lf + 3;
    if (next === undefined || (next === CR && lf + 2 >= buf.length)) return -1;
    lf = find(buf, LF, lf + 1);
  }
  return -1;
}

/** `.` or `%2e`/`%2E` at `i`: its length, or 0. */
function dotAt(buf: Buffer, i: number, end: number): number {
  if (buf[i] === DOT) return 1;
  if (buf[i] === PERCENT && i + 2 < end && buf[i + 1] === 0x32 && (buf[i + 2] | 0x20) === 0x65) return 3;
  return 0;
}

/** Whether the path of the target in [start, end) has a `.` or `..` segment (what the worker's DOT_SEGMENT matches). */
export function hasDotSegment(buf: Buffer, start: number, end: number): boolean {
  let i = start;
  while (i < end) {
    // At the start of a segment: one or two dots, then a separator or the end of the path.
    let dots = 0;
    let j = i;
    while (dots < 2) {
      const n = dotAt(buf, j, end);
      if (!n) break;
      j += n;
      dots++;
    }
    if (dots && (j === end || buf[j] === SLASH || buf[j] === BACKSLASH || buf[j] === QUESTION || buf[j] === HASH)) return true;
    // On to the next segment.
    while (j < end && buf[j] !== SLASH && buf[j] !== BACKSLASH) {
      if (buf[j] === QUESTION || buf[j] === HASH) return false;
      j++;
    }
    i = j + 1;
  }
  return false;
}

/** Whether buf[start, start + name.length) is `name` (lower-case ASCII) in any case. */
function nameIs(buf: Buffer, start: number, end: number, name: string): boolean {
  if (end - start !== name.length) return false;
  for (let k = 0; k < name.length; k++) if ((buf[start + k] | 0x20) !== name.charCodeAt(k)) return false;
  return true;
}

const valueIs = (buf: Buffer, start: number, end: number, value: string) => nameIs(buf, start, end, value);

// Module-level, never a closure per request: tsx (esbuild keepNames) wraps every function it creates with a
// name-setting helper that costs more than reading the head.
function malformed(result: RequestHead): RequestHead {
  result.malformed = true;
  return result;
}

/** Parses the head in [start, end) (end as `headEnd` gives it). */
export function readHead(buf: Buffer, start: number, end: number): RequestHead {
  const result: RequestHead = { dotSegment: false, malformed: false, framing: NONE, head: false, close: false, expectContinue: false };
  // Request line: METHOD SP target SP version (kj splits words at spaces and tabs).
  let lineEnd = find(buf, LF, start, end);
  let i = start;
  while (i < lineEnd && buf[i] !== SP && buf[i] !== HT && buf[i] !== CR) i++;
  if (i === start || i === lineEnd || buf[i] === CR) return malformed(result);
  result.head = i - start === 4 && buf[start] === 0x48 && buf[start + 1] === 0x45 && buf[start + 2] === 0x41 && buf[start + 3] === 0x44;
  while (buf[i] === SP || buf[i] === HT) i++;
  const targetStart = i;
  while (i < lineEnd && buf[i] !== SP && buf[i] !== HT && buf[i] !== CR) i++;
  if (i === targetStart) return malformed(result);
  result.dotSegment = hasDotSegment(buf, targetStart, i);
  while (buf[i] === SP || buf[i] === HT) i++;
  result.close = lineEnd - i >= 8 && buf[i + 7] === 0x30 && buf[i + 5] === 0x31 && buf[i + 6] === DOT && nameIs(buf, i, i + 5, 'http/');
  const lineCr = find(buf, CR, start, lineEnd - 1);
  if (lineCr >= 0) return malformed(result);
  // Header lines until the blank one.
  let contentLength = -1;
  let chunked = false;
  for (let line = lineEnd + 1; ; line = lineEnd + 1) {
    lineEnd = find(buf, LF, line, end);
    const stop = buf[lineEnd - 1] === CR ? lineEnd - 1 : lineEnd;
    if (stop === line) break;
    // A folded line (kj joins it to the previous header) or a bare CR (kj ends a line there): not ours to guess.
    if (buf[line] === SP || buf[line] === HT) return malformed(result);
    if (find(buf, CR, line, stop) >= 0) return malformed(result);
    const first = buf[line] | 0x20;
    if (first !== 0x63 && first !== 0x74 && first !== 0x65) continue; // c(ontent-length, onnection) t(ransfer-encoding) e(xpect)
    const colon = find(buf, COLON, line, stop);
    if (colon < 0) continue;
    let nameEnd = colon;
    while (buf[nameEnd - 1] === SP || buf[nameEnd - 1] === HT) nameEnd--;
    let v = colon + 1;
    while (v < stop && (buf[v] === SP || buf[v] === HT)) v++;
    if (nameIs(buf, line, nameEnd, 'content-length')) {
      if (contentLength >= 0 || v === stop) return malformed(result);
      let n = 0;
      for (let k = v; k < stop; k++) {
        const d = buf[k] - 0x30;
        if (d < 0 || d > 9) return malformed(result);
        n = n * 10 + d;
      }
      if (n > Number.MAX_SAFE_INTEGER) return malformed(result);
      contentLength = n;
    } else if (nameIs(buf, line, nameEnd, 'transfer-encoding')) {
      // kj takes `chunked` (and `chunked, chunked`) for a request; anything else is an error there too.
      if (chunked || !valueIs(buf, v, stop, 'chunked')) return malformed(result);
      chunked = true;
    } else if (nameIs(buf, line, nameEnd, 'connection')) {
      if (valueIs(buf, v, stop, 'close')) result.close = true;
      else if (valueIs(buf, v, stop, 'keep-alive')) result.close = false;
    } else if (nameIs(buf, line, nameEnd, 'expect')) {
      result.expectContinue = valueIs(buf, v, stop, '100-continue');
    }
  }
  if (chunked && contentLength >= 0) return malformed(result);
  result.framing = chunked ? CHUNKED : contentLength > 0 ? { kind: 'length', length: contentLength } : NONE;
  return result;
}
