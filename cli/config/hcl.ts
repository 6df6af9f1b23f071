// The HCL v1 subset Consul's agent config files use: `key = value`, blocks `key { … }` (a repeated block
// key becomes a list), strings with escapes, numbers, booleans, lists, `#`, `//` and `/* */` comments.
// Decoded to plain JSON values as hashicorp/hcl v1 decodes into Consul's config map.

type Value = string | number | boolean | Value[] | { [k: string]: Value };
type Token = { kind: 'ident' | 'string' | 'number' | 'punct'; text: string; line: number };

export class HclError extends Error {}

function lex(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let line = 1;
  while (i < src.length) {
    const ch = src[i];
    if (ch === '\n') { line++; i++; continue; }
    if (/\s/.test(ch)) { i++; continue; }
    if (ch === '#' || (ch === '/' && src[i + 1] === '/')) { while (i < src.length && src[i] !== '\n') i++; continue; }
    if (ch === '/' && src[i + 1] === '*') {
      const end = src.indexOf('*/', i + 2);
      if (end < 0) throw new HclError(`line ${line}: unterminated comment`);
      line += src.slice(i, end).split('\n').length - 1;
      i = end + 2;
      continue;
    }
    if ('{}[]=,:'.includes(ch)) { tokens.push({ kind: 'punct', text: ch, line }); i++; continue; }
    if (ch === '"') {
      let j = i + 1;
      let text = '';
      while (j < src.length && src[j] !== '"') {
        if (src[j] === '\n') throw new HclError(`line ${line}: unterminated string`);
        if (src[j] === '\\') {
          const e = src[j + 1];
          const map: Record<string, string> = { n: '\n', t: '\t', r: '\r', '"': '"', '\\': '\\' };
          if (e === 'u') { text += String.fromCharCode(parseInt(src.slice(j + 2, j + 6), 16)); j += 6; continue; }
          if (!(e in map)) throw new HclError(`line ${line}: invalid escape \\${e}`);
          text += map[e];
          j += 2;
          continue;
        }
        text += src[j++];
      }
      if (j >= src.length) throw new HclError(`line ${line}: unterminated string`);
      tokens.push({ kind: 'string', text, line });
      i = j + 1;
      continue;
    }
    const num = /^-?\d+(\.\d+)?([eE][+-]?\d+)?/.exec(src.slice(i));
    if (num) { tokens.push({ kind: 'number', text: num[0], line }); i += num[0].length; continue; }
    const ident = /^[A-Za-z_][A-Za-z0-9_.-]*/.exec(src.slice(i));
    if (ident) { tokens.push({ kind: 'ident', text: ident[0], line }); i += ident[0].length; continue; }
    throw new HclError(`line ${line}: unexpected character ${JSON.stringify(ch)}`);
  }
  return tokens;
}

export function parseHcl(src: string): Record<string, Value> {
  const tokens = lex(src);
  let pos = 0;
  const peek = () => tokens[pos];
  const fail = (msg: string): never => {
    const t = peek();
    throw new HclError(t ? `line ${t.line}: ${msg}, got ${JSON.stringify(t.text)}` : `unexpected end of file: ${msg}`);
  };
  const expect = (text: string) => (peek()?.text === text && peek().kind === 'punct' ? pos++ : fail(`expected "${text}"`));

  function body(closing: string | null): Record<string, Value> {
    const out: Record<string, Value> = {};
    const blocks = new Set<string>();
    while (peek() && !(closing && peek().kind === 'punct' && peek().text === closing)) {
      const t = peek();
      if (t.kind !== 'ident' && t.kind !== 'string') fail('expected a key');
      pos++;
      const key = t.text;
      if (peek()?.text === '=' || peek()?.text === ':') {
        pos++;
        if (key in out) throw new HclError(`line ${t.line}: duplicate key ${JSON.stringify(key)}`);
        out[key] = value();
      } else {
        // `key "label" { … }` nests the block under its label, as HCL v1 does.
        const labels: string[] = [];
        while (peek()?.kind === 'string') labels.push(tokens[pos++].text);
        expect('{');
        let block: Value = body('}');
        expect('}');
        for (const label of labels.reverse()) block = { [label]: block };
        if (key in out && !blocks.has(key)) throw new HclError(`line ${t.line}: duplicate key ${JSON.stringify(key)}`);
        if (blocks.has(key)) out[key] = [...(Array.isArray(out[key]) ? (out[key] as Value[]) : [out[key]]), block];
        else out[key] = block;
        blocks.add(key);
      }
      if (peek()?.text === ',') pos++;
    }
    return out;
  }

  function value(): Value {
    const t = peek() ?? fail('expected a value');
    pos++;
    if (t.kind === 'string') return t.text;
    if (t.kind === 'number') return Number(t.text);
    if (t.kind === 'ident' && (t.text === 'true' || t.text === 'false')) return t.text === 'true';
    if (t.kind === 'punct' && t.text === '[') {
      const list: Value[] = [];
      while (peek() && peek().text !== ']') {
        list.push(value());
        if (peek()?.text === ',') pos++;
        else break;
      }
      expect(']');
      return list;
    }
    if (t.kind === 'punct' && t.text === '{') {
      const obj = body('}');
      expect('}');
      return obj;
    }
    pos--;
    return fail('expected a value');
  }

  const result = body(null);
  if (pos < tokens.length) fail('unexpected token');
  return result;
}
