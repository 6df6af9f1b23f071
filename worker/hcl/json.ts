// hcl v1's JSON parser (hcl/json/parser + flatten.go): rules text whose first non-blank character
// is `{`. As lenient as the original — a missing closing brace, trailing commas and text after the
// root object pass — and its errors carry no position. flatten turns `{"key":{"a":{…}}}` and
// `{"key":[{"a":{…}}]}` into the same items as HCL's `key "a" {…}`.
import { ParseError, type Node, type ObjectItem, type ObjectList, type ObjectType } from './ast';
import { checkDuplicates } from './hcl';
import type { Pos, Token, TokenType } from './lexer';

type JsonType = TokenType | 'COLON' | 'NULL';
interface JsonToken { type: JsonType; pos: Pos; text: string }

const END = Symbol('eof');
const PUNCT: Record<string, JsonType> = { '{': 'LBRACE', '}': 'RBRACE', '[': 'LBRACK', ']': 'RBRACK', ':': 'COLON', ',': 'COMMA', '.': 'PERIOD' };
const LEXEME = /\s*(?:("(?:[^"\\\n]|\\.)*")|(-?\d+(\.\d+)?([eE][-+]?\d+)?)|([A-Za-z_][A-Za-z0-9_]*)|([{}[\]:,.]))/y;

export function parseJson(text: string): ObjectList {
  const p = new JsonParser(text);
  let root: ObjectList;
  try { root = p.root(); } catch (e) {
    if (p.scanError) throw new ParseError(p.scanError);
    throw e;
  }
  if (p.scanError) throw new ParseError(p.scanError);
  checkDuplicates(root);
  flatten(root);
  return root;
}

class JsonParser {
  private off = 0;
  private tok: JsonToken = { type: 'ILLEGAL', pos: { line: 0, column: 0 }, text: '' };
  scanError: string | undefined;

  constructor(private readonly src: string) {}

  private pos(off: number): Pos {
    const before = this.src.slice(0, off);
    const nl = before.lastIndexOf('\n');
    return { line: before.split('\n').length, column: off - nl };
  }

  private scan(): JsonToken {
    LEXEME.lastIndex = this.off;
    const m = LEXEME.exec(this.src);
    const start = this.off + (m ? m[0].length - m[0].trimStart().length : this.src.slice(this.off).length - this.src.slice(this.off).trimStart().length);
    if (!m) {
      this.off = start + (start < this.src.length ? 1 : 0);
      const type = start >= this.src.length ? 'EOF' : 'ILLEGAL';
      if (type === 'ILLEGAL') this.scanError = `${posText(this.pos(start))}: illegal char`;
      return (this.tok = { type, pos: this.pos(start), text: this.src.slice(start, this.off) });
    }
    this.off = LEXEME.lastIndex;
    const [, str, num, frac, exp, word, punct] = m;
    let type: JsonType = str ? 'STRING' : num ? (frac || exp ? 'FLOAT' : 'NUMBER') : punct ? PUNCT[punct] : 'ILLEGAL';
    if (word) type = word === 'true' || word === 'false' ? 'BOOL' : word === 'null' ? 'NULL' : 'ILLEGAL';
    if (type === 'ILLEGAL') this.scanError = `${posText(this.pos(start))}: illegal char`;
    return (this.tok = { type, pos: this.pos(start), text: m[0].trimStart() });
  }

  root(): ObjectList {
    const t = this.scan();
    if (t.type === 'LBRACE') return this.objectType().list;
    if (t.type === 'EOF') return { kind: 'list', items: [] };
    throw new ParseError(`Expected object, got unknown token: ${goToken(t)}`);
  }

  private objectType(): ObjectType {
    const o: ObjectType = { kind: 'object', pos: NO_POS, list: { kind: 'list', items: [] } };
    try {
      for (;;) {
        const item = this.objectItem();
        if (item === END) break;
        o.list.items.push(item);
        if (this.scan().type !== 'COMMA') break;
      }
    } catch (e) {
      if (this.tok.type !== 'RBRACE') throw e;
    }
    return o;
  }

  private objectItem(): ObjectItem | typeof END {
    const keys: Token[] = [];
    for (;;) {
      const t = this.scan();
      if (t.type === 'EOF') return END;
      if (t.type === 'STRING') { keys.push(toHcl(t)); continue; }
      if (t.type === 'COLON' && keys.length > 0) break;
      throw new ParseError(t.type === 'ILLEGAL' ? 'illegal' : `expected: STRING got: ${t.type}`);
    }
    const val = this.objectValue();
    return val === END ? END : { keys, assign: this.tok.pos, val };
  }

  private objectValue(): Node | typeof END {
    const t = this.scan();
    switch (t.type) {
      case 'NUMBER': case 'FLOAT': case 'BOOL': case 'NULL': case 'STRING': return { kind: 'literal', token: toHcl(t) };
      case 'LBRACE': return this.objectType();
      case 'LBRACK': return this.listType();
      case 'EOF': return END;
      default: throw new ParseError(`Expected object value, got unknown token: ${goToken(t)}`);
    }
  }

  private listType(): Node {
    const list: Node[] = [];
    for (;;) {
      const t = this.scan();
      switch (t.type) {
        case 'NUMBER': case 'FLOAT': case 'STRING': list.push({ kind: 'literal', token: toHcl(t) }); break;
        case 'COMMA': case 'BOOL': case 'LBRACK': break; // hcl skips booleans and nested lists in JSON lists
        case 'LBRACE': list.push(this.objectType()); break;
        case 'RBRACK': return { kind: 'array', pos: NO_POS, list };
        default: throw new ParseError(`unexpected token while parsing list: ${t.type}`);
      }
    }
  }
}

const posText = (p: Pos) => `${p.line}:${p.column}`;
const goToken = (t: JsonToken) => `{Type:${t.type} Pos:${posText(t.pos)} Text:${t.text}}`;

/** hcl's AST keeps no position from JSON (HCLToken() drops it, objects and lists get none): errors say `At -:`. */
const NO_POS: Pos = { line: 0, column: 0 };

function toHcl(t: JsonToken): Token {
  if (t.type === 'NULL') return { type: 'STRING', pos: NO_POS, text: '', value: '' };
  if (t.type !== 'STRING') return { type: t.type as TokenType, pos: NO_POS, text: t.text };
  let value: string;
  try { value = JSON.parse(t.text) as string; } catch { throw new ParseError(`unquote ${t.text} err: invalid syntax`); }
  return { type: 'STRING', pos: NO_POS, text: t.text, value };
}

/** flattenObjects: an item whose object (or list of objects) holds only objects becomes one item per child, keys joined. */
function flatten(list: ObjectList): void {
  const items: ObjectItem[] = [];
  const frontier = [...list.items];
  while (frontier.length > 0) {
    const item = frontier.pop()!;
    const v = item.val;
    if (v.kind === 'object' && v.list.items.length > 0 && v.list.items.every((i) => i.val.kind === 'object')) {
      for (const sub of v.list.items) frontier.push({ keys: [...item.keys, ...sub.keys], assign: item.assign, val: sub.val });
    } else if (v.kind === 'array' && v.list.length > 0 && v.list.every((e) => e.kind === 'object')) {
      for (const elem of v.list) frontier.push({ keys: item.keys, assign: item.assign, val: elem });
    } else {
      items.push(item);
    }
  }
  list.items = items.reverse();
  for (const item of list.items) {
    if (item.val.kind === 'object') flatten(item.val.list);
    if (item.val.kind === 'array') for (const e of item.val.list) if (e.kind === 'object') flatten(e.list);
  }
}
