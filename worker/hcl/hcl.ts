// The HCL v1 parser (hashicorp/hcl v1.0.0 hcl/parser), the subset of the grammar Consul's rules
// can contain, with its error texts and its leniencies (a comma may follow any item; an `=` with
// nothing after it at the end of the text is dropped; errors right before a `}` are swallowed).
import { at, ParseError, posText, type ListType, type Node, type ObjectItem, type ObjectList, type ObjectType } from './ast';
import { Scanner, type Token } from './lexer';

/** Go's errEofToken: the end of the input where an item could start. */
const END = Symbol('eof');

export function parseHcl(text: string): ObjectList {
  return new Parser(text.replace(/\r\n/g, '\n')).parse();
}

const goToken = (t: Token) => `{Type:${t.type} Pos:${posText(t.pos)} Text:${t.text} JSON:false}`;

class Parser {
  private readonly sc: Scanner;
  private tok: Token = { type: 'ILLEGAL', pos: { line: 0, column: 0 }, text: '' };
  private buffered = false;

  constructor(src: string) { this.sc = new Scanner(src); }

  parse(): ObjectList {
    const root: ObjectList = { kind: 'list', items: [] };
    let failure: unknown;
    try { this.objectList(false, root); } catch (e) { failure = e; }
    // Like hcl, a scanner error wins over the parser's (the parser stumbles on what the scanner broke).
    if (this.sc.error) throw at(this.sc.error.pos, this.sc.error.msg);
    if (failure !== undefined && failure !== END) throw failure;
    checkDuplicates(root);
    return root;
  }

  private scan(): Token {
    if (this.buffered) { this.buffered = false; return this.tok; }
    do this.tok = this.sc.scan(); while (this.tok.type === 'COMMENT');
    return this.tok;
  }

  private unscan(): void { this.buffered = true; }

  private objectList(inObject: boolean, list: ObjectList): void {
    for (;;) {
      if (inObject) {
        const t = this.scan();
        this.unscan();
        if (t.type === 'RBRACE') return;
      }
      let item: ObjectItem;
      try { item = this.objectItem(); } catch (e) { if (e === END) return; throw e; }
      list.items.push(item);
      if (this.scan().type !== 'COMMA') this.unscan();
    }
  }

  private objectItem(): ObjectItem {
    const { keys, err } = this.objectKey();
    let failure = keys.length > 0 && err === END ? undefined : err;
    if (keys.length > 0 && failure && this.tok.type === 'RBRACE') {
      failure = undefined;
      this.tok = { ...this.tok, type: 'EOF' };
    }
    if (failure !== undefined) throw failure;
    let item: ObjectItem;
    if (this.tok.type === 'ASSIGN') {
      const assign = this.tok.pos;
      item = { keys, assign, val: this.object() };
    } else if (this.tok.type === 'LBRACE') {
      item = { keys, val: this.objectType() };
    } else {
      throw at(this.tok.pos, `key '${keys.map((k) => k.text).join(' ')}' expected start of object ('{') or assignment ('=')`);
    }
    this.scan();
    this.unscan();
    return item;
  }

  private objectKey(): { keys: Token[]; err?: ParseError | typeof END } {
    const keys: Token[] = [];
    for (;;) {
      const t = this.scan();
      switch (t.type) {
        case 'EOF': return { keys, err: END };
        case 'ASSIGN':
          if (keys.length > 1) throw at(t.pos, `nested object expected: LBRACE got: ${t.type}`);
          if (keys.length === 0) throw at(t.pos, 'no object keys found!');
          return { keys };
        case 'LBRACE': return { keys, err: keys.length === 0 ? at(t.pos, `expected: IDENT | STRING got: ${t.type}`) : undefined };
        case 'IDENT': case 'STRING': keys.push(t); break;
        case 'ILLEGAL': return { keys, err: at(t.pos, 'illegal character') };
        default: return { keys, err: at(t.pos, `expected: IDENT | STRING | ASSIGN | LBRACE got: ${t.type}`) };
      }
    }
  }

  private object(): Node {
    const t = this.scan();
    switch (t.type) {
      case 'NUMBER': case 'FLOAT': case 'BOOL': case 'STRING': case 'HEREDOC': return { kind: 'literal', token: t };
      case 'LBRACE': return this.objectType();
      case 'LBRACK': return this.listType();
      case 'EOF': throw END;
      default: throw at(t.pos, `Unknown token: ${goToken(t)}`);
    }
  }

  private objectType(): ObjectType {
    const o: ObjectType = { kind: 'object', pos: this.tok.pos, list: { kind: 'list', items: [] } };
    try { this.objectList(true, o.list); } catch (e) { if (this.tok.type !== 'RBRACE') throw e; }
    const t = this.scan();
    if (t.type !== 'RBRACE') throw at(t.pos, `object expected closing RBRACE got: ${t.type}`);
    return o;
  }

  private listType(): ListType {
    const l: ListType = { kind: 'array', pos: this.tok.pos, list: [] };
    let needComma = false;
    for (;;) {
      const t = this.scan();
      if (needComma && t.type !== 'COMMA' && t.type !== 'RBRACK') {
        throw at(t.pos, `error parsing list, expected comma or list end, got: ${t.type}`);
      }
      switch (t.type) {
        case 'BOOL': case 'NUMBER': case 'FLOAT': case 'STRING': case 'HEREDOC':
          l.list.push({ kind: 'literal', token: t });
          needComma = true;
          break;
        case 'COMMA': needComma = false; break;
        case 'LBRACE':
          l.list.push(this.nested(t, 'object', () => this.objectType()));
          needComma = true;
          break;
        case 'LBRACK': l.list.push(this.nested(t, 'list', () => this.listType())); break;
        case 'RBRACK': return l;
        default: throw at(t.pos, `unexpected token while parsing list: ${t.type}`);
      }
    }
  }

  private nested(t: Token, what: string, parse: () => Node): Node {
    try { return parse(); } catch (e) {
      if (e === END) throw e;
      throw at(t.pos, `error while trying to parse ${what} within list: ${(e as Error).message}`);
    }
  }
}

/**
 * Consul ≥ 1.20.2 (PR #21908, hcl PR #704) rejects an attribute set twice in one body (`acl = "read"`
 * then `acl = "write"`), which hcl v1 used to resolve silently by taking the last. Repeated blocks
 * (`key "a" {…}` twice, or JSON's `"key": {…}` twice) stay legal: they merge like separate policies.
 */
export function checkDuplicates(list: ObjectList): void {
  const seen = new Map<string, ObjectItem>();
  for (const item of list.items) {
    if (item.val.kind === 'object') checkDuplicates(item.val.list);
    if (item.val.kind === 'array') for (const e of item.val.list) if (e.kind === 'object') checkDuplicates(e.list);
    if (item.assign === undefined || item.keys.length !== 1 || item.val.kind !== 'literal') continue;
    // Case-insensitive, as hcl's decoder matches names (`ACL` sets the same field as `acl`).
    const name = item.keys[0].text.replace(/^"|"$/g, '').toLowerCase();
    const first = seen.get(name);
    if (first) {
      throw at(item.keys[0].pos, `The argument ${JSON.stringify(name)} at ${posText(first.keys[0].pos)} was already set. Each argument can only be defined once`);
    }
    seen.set(name, item);
  }
}
