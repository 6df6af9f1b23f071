// Bad input across routes (issue 9, items 3–4): user regexes run on Go's RE2 (linear time, Go's syntax),
// body keys that name Object.prototype members are just unknown fields, and nothing leaks JavaScript text.
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { api, put, uniq } from '../test-support';
import { answerError, ConsulError, INTERNAL_ERROR } from './errors';

// A classic catastrophic pattern for a backtracking engine: (a+)+$ against a run of a's ending in b.
// JavaScript's RegExp needs about 2^36 steps here (hours); RE2 answers at once.
const EVIL = '(a+)+$';
const AAAB = `${'a'.repeat(36)}b`;

const send = (method: string, path: string, body?: unknown) =>
  api(path, { method, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body) });

async function registerNode(meta: Record<string, string>): Promise<string> {
  const node = uniq('node');
  const res = await put('/v1/catalog/register', { Node: node, Address: '10.9.0.1', NodeMeta: meta });
  expect([res.status, await res.text()]).toEqual([200, 'true']);
  return node;
}

const filterNodes = async (node: string, expression: string) => {
  const res = await api(`/v1/catalog/nodes?filter=${encodeURIComponent(`Node == "${node}" and ${expression}`)}`);
  const text = await res.text();
  return { status: res.status, text, nodes: res.status === 200 ? (JSON.parse(text) as { Node: string }[]).map((n) => n.Node) : undefined };
};

describe('?filter= matches runs Go regular expressions', () => {
  it('answers a catastrophic pattern at once', async () => {
    const node = await registerNode({ x: AAAB });
    expect((await filterNodes(node, `Meta.x matches "${EVIL}"`)).nodes).toEqual([]);
    expect((await filterNodes(node, `Meta.x not matches "${EVIL}"`)).nodes).toEqual([node]);
  });

  it.each([
    ['\\z is the end of text', 'Meta.x matches `b\\z`', true],
    ['(?P<name>…) is a named group', 'Meta.x matches `^(?P<run>a+)b$`', true],
    ['(?i) folds case', 'Meta.x matches `(?i)^A+B$`', true],
    ['\\d is ASCII digits only', 'Meta.y matches `^\\d$`', false],
  ])('takes Go syntax: %s', async (_, expression, matched) => {
    const node = await registerNode({ x: AAAB, y: '٣' });
    expect((await filterNodes(node, expression)).nodes).toEqual(matched ? [node] : []);
  });

  it.each([
    ['a(?=b)', 'invalid or unsupported Perl syntax: `(?=`'],
    ["(?<!a)b", "invalid named capture: `(?<!a)b`"],
    ['(a)\\1', 'invalid escape sequence: `\\1`'],
    ['x{1001}', 'invalid repeat count: `{1001}`'],
  ])('refuses %s as Go does, with a 400', async (pattern, why) => {
    const node = await registerNode({ x: 'ab' });
    const { status, text } = await filterNodes(node, `Meta.x matches \`${pattern}\``);
    expect(status).toBe(400);
    expect(text).toMatch(/^Failed to create boolean expression evaluator: /);
    expect(text).toContain(`error parsing regexp: ${why}`);
  });
});

describe('prepared-query template Regexp is a Go regular expression', () => {
  it('renders ${match(N)} against a catastrophic pattern at once', async () => {
    const name = uniq('redos');
    const created = await send('POST', '/v1/query', {
      Name: name, Template: { Type: 'name_prefix_match', Regexp: `^${name}-(a+)+$` }, Service: { Service: 'svc-${match(1)}' },
    });
    expect(created.status, await created.clone().text()).toBe(200);
    const res = await api(`/v1/query/${name}-${AAAB}/explain`);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { Query: { Service: { Service: string } } }).Query.Service.Service).toBe('svc-');
  });

  it.each([
    ['^x-(?=y)', 'invalid or unsupported Perl syntax: `(?=`'],
    ['^x-(a)\\1', 'invalid escape sequence: `\\1`'],
  ])('refuses %s with failed compiling template and stores nothing', async (regexp, why) => {
    const name = uniq('bad');
    const res = await send('POST', '/v1/query', { Name: name, Template: { Type: 'name_prefix_match', Regexp: regexp }, Service: { Service: 's' } });
    expect([res.status, await res.text()]).toEqual([500, `failed compiling template: Bad Regexp: error parsing regexp: ${why}`]);
    expect((await api(`/v1/query/${name}/explain`)).status).toBe(404);
  });
});

describe('user-event filters are Go regular expressions', () => {
  it('refuses lookaround in a node filter as Go does', async () => {
    const res = await put(`/v1/event/fire/${uniq('ev')}?node=${encodeURIComponent('web(?!-canary)')}`);
    expect([res.status, await res.text()]).toEqual([500, 'Invalid node filter: error parsing regexp: invalid or unsupported Perl syntax: `(?!`']);
  });
});

// Go's encoding/json ignores unknown fields, whatever their name; a key that happens to be an
// Object.prototype member is no different.
const PROTO_KEYS = ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf'];

describe('body keys named after Object.prototype members', () => {
  it.each(PROTO_KEYS)('catalog register ignores a top-level and a nested %s', async (key) => {
    const node = uniq('node');
    const body = `{"Node":"${node}","Address":"10.9.0.2","${key}":{"x":1},"Service":{"Service":"web","${key}":1}}`;
    const res = await put('/v1/catalog/register', body);
    expect([res.status, await res.text()]).toEqual([200, 'true']);
    expect((await (await api(`/v1/catalog/node/${node}`)).json() as { Services: Record<string, unknown> }).Services).toHaveProperty('web');
  });

  it.each(PROTO_KEYS)('keeps %s as an ordinary key inside Meta', async (key) => {
    const node = uniq('node');
    const res = await put('/v1/catalog/register', `{"Node":"${node}","Address":"10.9.0.3","NodeMeta":{"${key}":"v"}}`);
    expect([res.status, await res.text()]).toEqual([200, 'true']);
    const stored = (await (await api(`/v1/catalog/node/${node}`)).json()) as { Node: { Meta: Record<string, string> } };
    expect(Object.entries(stored.Node.Meta)).toEqual([[key, 'v']]);
    const service = uniq('svc');
    await put('/v1/agent/service/register', `{"Name":"${service}","Meta":{"${key}":"m","version":"2"}}`);
    const [instance] = (await (await api(`/v1/catalog/service/${service}`)).json()) as { ServiceMeta: Record<string, string> }[];
    expect(Object.entries(instance.ServiceMeta)).toEqual([[key, 'm'], ['version', '2']]);
  });

  it.each([
    ['{"a":1}', 'Request decode failed: NodeMeta.a: Invalid input: expected string, received number'],
    ['["a"]', 'Request decode failed: NodeMeta: Invalid input: expected record, received array'],
  ])('still refuses NodeMeta %s', async (meta, text) => {
    const res = await put('/v1/catalog/register', `{"Node":"${uniq('node')}","Address":"10.9.0.5","NodeMeta":${meta}}`);
    expect([res.status, await res.text()]).toEqual([400, text]);
  });

  it.each([
    ['PUT', '/v1/agent/service/register', (k: string) => `{"Name":"${uniq('svc')}","${k}":1,"Check":{"TTL":"10s","${k}":1}}`],
    ['PUT', '/v1/agent/check/register', (k: string) => `{"Name":"${uniq('chk')}","TTL":"10s","${k}":[]}`],
    ['PUT', '/v1/session/create', (k: string) => `{"TTL":"30s","${k}":"x"}`],
    ['POST', '/v1/query', (k: string) => `{"Name":"${uniq('q')}","Service":{"Service":"s","${k}":{}},"${k}":0}`],
    ['PUT', '/v1/txn', (k: string) => `[{"KV":{"Verb":"set","Key":"${uniq('k')}","${k}":1},"${k}":1}]`],
  ] as const)('%s %s ignores such keys', async (method, path, body) => {
    for (const key of PROTO_KEYS) {
      const res = await send(method, path, body(key));
      expect(res.status, `${key}: ${await res.clone().text()}`).toBe(200);
    }
  });
});

describe('a body that is not JSON', () => {
  it.each([
    ['PUT', '/v1/catalog/register', 'body', "Request decode failed: invalid character 'b' looking for beginning of value"],
    ['PUT', '/v1/agent/service/register', '{"Name":"web",', 'Request decode failed: unexpected EOF'],
    ['PUT', '/v1/session/create', "{'TTL':'10s'}", "Request decode failed: invalid character '\\'' looking for beginning of object key string"],
    ['POST', '/v1/query', '{"Name":"q" "Service":{}}', `Request decode failed: invalid character '"' after object key:value pair`],
    ['PUT', '/v1/txn', 'not json', "Failed to parse body: invalid character 'o' in literal null (expecting 'u')"],
    ['PUT', '/v1/txn', '[{"KV":{"Verb":"cas","Key":"k","Index":1.}}]', "Failed to parse body: invalid character '}' after decimal point in numeric literal"],
  ] as const)('%s %s answers %j with 400 in Go\'s words', async (method, path, body, text) => {
    const res = await send(method, path, body);
    expect([res.status, await res.text()]).toEqual([400, text]);
  });

  it('reads only the first JSON value, as Go\'s json.Decoder does', async () => {
    const node = uniq('node');
    const res = await put('/v1/catalog/register', `{"Node":"${node}","Address":"10.9.0.4"} and then anything`);
    expect([res.status, await res.text()]).toEqual([200, 'true']);
  });
});

describe('numbers in a /v1/txn body', () => {
  it.each([
    ['"Flags":"x"'],
    ['"Flags":"1e3"'],
    ['"Flags":"-1"'],
    ['"Flags":18446744073709551616'],
    ['"Index":"x"'],
    ['"Index":1.5'],
    ['"Index":-1'],
  ])('refuses %s with 400 Failed to parse body and writes nothing', async (member) => {
    const key = uniq('txn');
    const res = await put('/v1/txn', `[{"KV":{"Verb":"cas","Key":"${key}","Value":null,${member}}}]`);
    const text = await res.text();
    expect(res.status, text).toBe(400);
    expect(text).toMatch(/^Failed to parse body: /);
    expect(text).not.toMatch(/BigInt|undefined|\.ts\b/);
    expect((await api(`/v1/kv/${key}`)).status).toBe(404);
  });
});


describe('answerError, the app\'s onError', () => {
  const app = new Hono()
    .get('/refused', () => { throw new ConsulError(400, 'Missing node name', { 'X-Consul-Index': '7' }); })
    .get('/bug', () => { throw new TypeError("Cannot read properties of undefined (reading 'def') at worker/http/body.ts:40"); })
    .onError(answerError);

  it('answers a ConsulError with its status, text and headers', async () => {
    const res = await app.request('/refused');
    expect([res.status, await res.text(), res.headers.get('X-Consul-Index')]).toEqual([400, 'Missing node name', '7']);
  });

  it('answers anything else 500 with a fixed plain text, no JavaScript message or path', async () => {
    const res = await app.request('/bug');
    expect([res.status, await res.text()]).toEqual([500, INTERNAL_ERROR]);
    expect(res.headers.get('Content-Type')).toMatch(/^text\/plain/);
  });
});
