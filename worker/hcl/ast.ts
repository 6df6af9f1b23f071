// hcl's AST (hcl/ast) as far as ACL rules need it, shared by the HCL and the JSON parser, and the
// values of its tokens (hcl/token Value, hcl/strconv Unquote, unindentHeredoc).
import type { Pos, Token } from './lexer';

export interface ObjectItem { keys: Token[]; assign?: Pos; val: Node }
export interface ObjectList { kind: 'list'; items: ObjectItem[] }
export interface ObjectType { kind: 'object'; pos: Pos; list: ObjectList }
export interface ListType { kind: 'array'; pos: Pos; list: Node[] }
export interface Literal { kind: 'literal'; token: Token }
export type Node = ObjectList | ObjectType | ListType | Literal;

/** A parse or decode error, already in hcl's words. */
export class ParseError extends Error {}

export const posText = (pos: Pos | undefined) => (pos && pos.line > 0 ? `${pos.line}:${pos.column}` : '-');
/** hcl's PosError: `At L:C: msg`. */
export const at = (pos: Pos | undefined, msg: string) => new ParseError(`At ${posText(pos)}: ${msg}`);

export function nodePos(node: Node): Pos | undefined {
  switch (node.kind) {
    case 'list': return node.items[0]?.keys[0]?.pos;
    case 'object': case 'array': return node.pos;
    case 'literal': return node.token.pos;
  }
}

/** The Go type name hcl prints in decode errors (`%T`). */
export const goType = (node: Node) =>
  ({ list: '*ast.ObjectList', object: '*ast.ObjectType', array: '*ast.ListType', literal: '*ast.LiteralType' })[node.kind];

/** Token.Value() as a string: keys and literals. */
export function tokenValue(token: Token): string {
  if (token.value !== undefined) return token.value;
  if (token.type === 'STRING') return unquote(token);
  if (token.type === 'HEREDOC') return heredocValue(token.text);
  return token.text;
}

const SIMPLE: Record<string, string> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\', '"': '"' };

function unquote(token: Token): string {
  const fail = () => at(token.pos, `unquote ${token.text} err: invalid syntax`);
  const s = token.text;
  if (s.length < 2 || s[0] !== '"' || s[s.length - 1] !== '"') throw fail();
  const body = s.slice(1, -1);
  if (!/[\\$\n"]/.test(body)) return body;
  let out = '';
  for (let i = 0; i < body.length;) {
    if (body[i] === '$' && body[i + 1] === '{') {
      let braces = 1, j = i + 2;
      for (; j < body.length && braces > 0; j++) braces += body[j] === '{' ? 1 : body[j] === '}' ? -1 : 0;
      if (braces !== 0) throw fail();
      out += body.slice(i, j);
      i = j;
      continue;
    }
    const c = body[i];
    if (c === '\n' || c === '"') throw fail();
    if (c !== '\\') { out += c; i++; continue; }
    const e = body[i + 1];
    if (e !== undefined && SIMPLE[e]) { out += SIMPLE[e]; i += 2; continue; }
    const width = e === 'x' ? 2 : e === 'u' ? 4 : e === 'U' ? 8 : /[0-7]/.test(e ?? '') ? 3 : 0;
    const digits = body.slice(i + (width === 3 ? 1 : 2), i + (width === 3 ? 4 : 2 + width));
    const ok = width === 3 ? /^[0-7]{3}$/.test(digits) : width > 0 && new RegExp(`^[0-9a-fA-F]{${width}}$`).test(digits);
    const code = ok ? parseInt(digits, width === 3 ? 8 : 16) : NaN;
    if (!ok || code > 0x10ffff || (width === 3 && code > 255) || (code >= 0xd800 && code < 0xe000)) throw fail();
    out += String.fromCodePoint(code);
    i += width === 3 ? 4 : 2 + width;
  }
  return out;
}

function heredocValue(text: string): string {
  const idx = text.indexOf('\n');
  const body = text.slice(idx + 1, text.length - idx + 1);
  if (text[2] !== '-') return body;
  const lines = text.slice(idx + 1, text.length - idx + 2).split('\n');
  const indent = lines[lines.length - 1];
  if (!lines.every((l) => l.startsWith(indent))) return body.replace(/[ \t]+$/, '');
  return lines.map((l, k) => (k === lines.length - 1 ? '' : l.slice(indent.length))).join('\n');
}
