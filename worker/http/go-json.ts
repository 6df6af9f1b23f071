// JSON read as Consul reads a body (Go's json.Decoder, encoding/json/scanner.go): the first JSON value is
// taken and anything after it ignored, and a syntax error is told in Go's words ("invalid character 'x'
// looking for beginning of value", "unexpected EOF"), never in JavaScript's.

class GoJsonError extends Error {}

/** Go's maxNestingDepth. */
const MAX_DEPTH = 10_000;
const WS = new Set([' ', '\t', '\n', '\r']);
const ESCAPES = new Set(['"', '\\', '/', 'b', 'f', 'n', 'r', 't', 'u']);
const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';
const isHex = (c: string | undefined) => c !== undefined && /^[0-9a-fA-F]$/.test(c);

/** Go's quoteChar: the character in single quotes, escaped as strconv.Quote does. */
function quoteChar(c: string): string {
  if (c === "'") return `'\\''`;
  if (c === '"') return `'"'`;
  const quoted = JSON.stringify(c).slice(1, -1).replace(/\\u00([0-9a-f]{2})/g, '\\x$1');
  return `'${quoted}'`;
}

/** Where the first JSON value of `text` ends; throws GoJsonError with Go's text when it is not JSON. */
function scanValue(text: string): number {
  let i = 0;
  const fail = (context: string): never => {
    if (i >= text.length) throw new GoJsonError('unexpected EOF');
    throw new GoJsonError(`invalid character ${quoteChar(text[i])} ${context}`);
  };
  const ws = () => {
    while (WS.has(text[i])) i++;
  };
  const literal = (word: string) => {
    i++;
    for (let k = 1; k < word.length; k++, i++) if (text[i] !== word[k]) fail(`in literal ${word} (expecting ${quoteChar(word[k])})`);
  };
  const string = () => {
    for (i++; ; i++) {
      const c = text[i];
      if (c === undefined) fail('');
      if (c === '"') return void i++;
      if (c < ' ') fail('in string literal');
      if (c === '\\') {
        i++;
        if (!ESCAPES.has(text[i])) fail('in string escape code');
        if (text[i] === 'u') for (let k = 0; k < 4; k++) if (!isHex(text[++i])) fail('in \\u hexadecimal character escape');
      }
    }
  };
  const number = () => {
    if (text[i] === '-') {
      i++;
      if (!isDigit(text[i])) fail('in numeric literal');
    }
    if (text[i] === '0') i++;
    else while (isDigit(text[i])) i++;
    if (text[i] === '.') {
      i++;
      if (!isDigit(text[i])) fail('after decimal point in numeric literal');
      while (isDigit(text[i])) i++;
    }
    if (text[i] === 'e' || text[i] === 'E') {
      i++;
      if (text[i] === '+' || text[i] === '-') i++;
      if (!isDigit(text[i])) fail('in exponent of numeric literal');
      while (isDigit(text[i])) i++;
    }
  };
  let depth = 0;
  const value = (): void => {
    ws();
    const c = text[i];
    if ((c === '{' || c === '[') && ++depth > MAX_DEPTH) throw new GoJsonError('exceeded max depth');
    if (c === '{') {
      i++;
      ws();
      if (text[i] === '}') return void (i++, depth--);
      for (;;) {
        if (text[i] !== '"') fail('looking for beginning of object key string');
        string();
        ws();
        if (text[i] !== ':') fail('after object key');
        i++;
        value();
        ws();
        if (text[i] === '}') return void (i++, depth--);
        if (text[i] !== ',') fail('after object key:value pair');
        i++;
        ws();
      }
    }
    if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') return void (i++, depth--);
      for (;;) {
        value();
        ws();
        if (text[i] === ']') return void (i++, depth--);
        if (text[i] !== ',') fail('after array element');
        i++;
      }
    }
    if (c === '"') return string();
    if (c === '-' || isDigit(c)) return number();
    if (c === 't' || c === 'f' || c === 'n') return literal(c === 't' ? 'true' : c === 'f' ? 'false' : 'null');
    fail('looking for beginning of value');
  };
  value();
  return i;
}

/** The body's first JSON value, as Go's json.Decoder reads it; throws an Error with Go's text. */
export function parseGoJson(text: string): unknown {
  if (text.trim() === '') throw new Error('EOF');
  try {
    return JSON.parse(text.slice(0, scanValue(text)));
  } catch (err) {
    if (err instanceof GoJsonError) throw new Error(err.message);
    throw err;
  }
}
