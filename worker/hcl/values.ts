// hcl v1 text decoded to plain JSON-like values, the shape Consul's agent config loader works on after
// `hcl.Decode` into a map and `lib.PatchSliceOfMaps`: `key "a" "b" { … }` nests under its labels, a block
// key given once is an object and given more than once a list of them, and literals keep their type.
import { at, tokenValue, type Node, type ObjectList } from './ast';
import { parseHcl } from './hcl';

export type HclValue = string | number | boolean | HclValue[] | { [key: string]: HclValue };

export function parseHclValues(text: string): Record<string, HclValue> {
  return objectOf(parseHcl(text));
}

function objectOf(list: ObjectList): Record<string, HclValue> {
  const out: Record<string, HclValue> = {};
  const repeated = new Set<string>();
  for (const item of list.items) {
    const [first, ...labels] = item.keys.map(tokenValue);
    let value = valueOf(item.val);
    for (const label of labels.reverse()) value = { [label]: value };
    if (!(first in out)) {
      out[first] = value;
    } else if (item.assign !== undefined && item.val.kind === 'literal') {
      // hcl.ts's checkDuplicates refuses a repeated literal before this runs; anything else repeated is a list.
      throw at(item.keys[0].pos, `duplicate key ${JSON.stringify(first)}`);
    } else {
      out[first] = repeated.has(first) ? [...(out[first] as HclValue[]), value] : [out[first], value];
      repeated.add(first);
    }
  }
  return out;
}

function valueOf(node: Node): HclValue {
  switch (node.kind) {
    case 'list': return objectOf(node);
    case 'object': return objectOf(node.list);
    case 'array': return node.list.map(valueOf);
    case 'literal': {
      const { token } = node;
      if (token.type === 'BOOL') return token.text === 'true';
      // strconv.ParseInt(text, 0, 64): a leading 0 is octal, 0x hex.
      if (token.type === 'NUMBER') return /^-?0[0-7]+$/.test(token.text) ? parseInt(token.text, 8) : Number(token.text);
      if (token.type === 'FLOAT') return Number(token.text);
      return tokenValue(token);
    }
  }
}
