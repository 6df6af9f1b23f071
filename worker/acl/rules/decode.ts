// hcl.Decode of rules text into Consul's acl.Policy (hcl v1 decoder.go decodeStruct/decodeSlice/
// decodeString, specialised to that one struct): names match case-insensitively, unknown names
// are ignored, `x "a" {…}`, `x = { "a" = {…} }` and JSON's forms all land in the same list, and a
// scalar may be a string, number or bool (decoded to its text). Errors keep hcl's wording.
import { at, goType, nodePos, tokenValue, type Node, type ObjectItem, type ObjectList } from '../../hcl/ast';
import { parseHcl } from '../../hcl/hcl';
import type { Pos } from '../../hcl/lexer';
import { parseJson } from '../../hcl/json';

/** The labelled blocks, in the order of acl.PolicyRules' fields (errors report the first in this order). */
export const BLOCKS = [
  'agent', 'agent_prefix', 'key', 'key_prefix', 'node', 'node_prefix', 'service', 'service_prefix',
  'session', 'session_prefix', 'event', 'event_prefix', 'query', 'query_prefix',
] as const;
export type Block = (typeof BLOCKS)[number];
export const SCALARS = ['acl', 'keyring', 'operator', 'mesh', 'peering'] as const;
export type Scalar = (typeof SCALARS)[number];

/** One rule as written: `policy`/`intentions` are the raw strings (`''` when absent). */
export interface RawRule { readonly name: string; readonly policy: string; readonly intentions: string }
export interface RawPolicy { blocks: Record<Block, RawRule[]>; scalars: Record<Scalar, string> }

/** hcl.Parse picks JSON when the first non-blank character is `{`. */
export function decodeRules(text: string): RawPolicy {
  const root = /^\s*\{/.test(text) ? parseJson(text) : parseHcl(text);
  const policy: RawPolicy = { blocks: {} as RawPolicy['blocks'], scalars: {} as RawPolicy['scalars'] };
  // Field order of acl.PolicyRules: ACL, the blocks, then Keyring, Operator, Mesh, Peering.
  policy.scalars.acl = decodeStringField('root', root, 'acl', '');
  for (const block of BLOCKS) policy.blocks[block] = decodeSliceField('root', root, block);
  for (const scalar of SCALARS.slice(1)) policy.scalars[scalar] = decodeStringField('root', root, scalar, '');
  return policy;
}

/** ObjectList.Filter(name) split into Children() (still labelled) and Elem() (`name = …`). */
function filter(list: ObjectList, name: string): { children: ObjectItem[]; elems: ObjectItem[] } {
  const children: ObjectItem[] = [];
  const elems: ObjectItem[] = [];
  const names = firstKeys(list);
  const wanted = name.toLowerCase();
  list.items.forEach((item, i) => {
    if (names[i] !== wanted) return;
    const stripped = { ...item, keys: item.keys.slice(1) };
    (stripped.keys.length > 0 ? children : elems).push(stripped);
  });
  return { children, elems };
}

const FIRST_KEYS = new WeakMap<ObjectList, (string | undefined)[]>();
/** Each item's first key, lower-cased, computed once per list (every field filters the same list). */
function firstKeys(list: ObjectList): (string | undefined)[] {
  let names = FIRST_KEYS.get(list);
  if (!names) FIRST_KEYS.set(list, (names = list.items.map((i) => (i.keys.length > 0 ? tokenValue(i.keys[0]).toLowerCase() : undefined))));
  return names;
}

const unwrap = (node: Node): Node => (node.kind === 'object' ? { kind: 'list', items: node.list.items } : node);

function decodeStringField(parent: string, list: ObjectList, field: string, initial: string): string {
  const { children, elems } = filter(list, field);
  const name = `${parent}.${field}`;
  if (children.length > 0) decodeString(name, { kind: 'list', items: children });
  let value = initial;
  for (const elem of elems) value = decodeString(name, unwrap(elem.val), nodePos(elem.val));
  return value;
}

/** `fallback`: where to point when hcl would take the position of an empty object (it panics there). */
function decodeString(name: string, node: Node, fallback?: Pos): string {
  if (node.kind === 'literal' && ['NUMBER', 'FLOAT', 'BOOL', 'STRING', 'HEREDOC'].includes(node.token.type)) {
    return tokenValue(node.token);
  }
  throw at(nodePos(node) ?? fallback, `${name}: unknown type for string ${goType(node)}`);
}

function decodeSliceField(parent: string, list: ObjectList, field: Block): RawRule[] {
  const { children, elems } = filter(list, field);
  const name = `${parent}.${field}`;
  const out: RawRule[] = [];
  if (children.length > 0) decodeSlice(name, { kind: 'list', items: children }, field, out);
  for (const elem of elems) decodeSlice(name, unwrap(elem.val), field, out);
  return out;
}

function decodeSlice(name: string, node: Node, field: Block, out: RawRule[]): void {
  let items: (ObjectItem | Node)[];
  if (node.kind === 'list') items = node.items;
  else if (node.kind === 'object') items = [node];
  else if (node.kind === 'array') items = node.list;
  else throw at(nodePos(node), `unknown slice type: ${goType(node)}`);
  items.forEach((item, i) => out.push(decodeRule(`${name}[${i}]`, expandObject(item), field)));
}

/** decoder.go expandObject: `x "a" "b" {…}` decodes as `x "a" { "b" {…} }`. */
function expandObject(item: ObjectItem | Node): ObjectItem | Node {
  if (!('keys' in item) || item.keys.length !== 2) return item;
  const inner: ObjectItem = { ...item, keys: item.keys.slice(1) };
  return { keys: item.keys.slice(0, 1), val: { kind: 'object', pos: item.keys[1].pos, list: { kind: 'list', items: [inner] } } };
}

/** The Go field holding the label of each rule struct (`hcl:",key"`). */
const LABEL: Record<string, string> = { agent: 'Node', key: 'Prefix', node: 'Name', service: 'Name', session: 'Node', event: 'Event', query: 'Prefix' };

function decodeRule(name: string, from: ObjectItem | Node, field: Block): RawRule {
  const item = 'keys' in from ? from : undefined;
  let node = unwrap(item ? item.val : (from as Node));
  if (node.kind === 'literal' && item) node = { kind: 'list', items: [item] };
  if (node.kind !== 'list') throw at(nodePos(node), `${name}: not an object type for struct (${goType(node)})`);
  const kind = field.replace(/_prefix$/, '');
  if (!item) throw at(nodePos(node), `${name}: ${LABEL[kind]} asked for 'key', impossible`);
  const label = item.keys.length > 0 ? tokenValue(item.keys[0]) : '';
  const policy = decodeStringField(name, node, 'Policy', '');
  const intentions = kind === 'service' ? decodeStringField(name, node, 'Intentions', '') : '';
  return { name: label, policy, intentions };
}
