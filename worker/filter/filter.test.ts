import { describe, it, expect } from 'vitest';
import { compileFilter, evaluateFilter } from './evaluate';
import { FilterError, parseFilter } from './parse';

const entry = {
  Node: { Node: 'n1', Address: '10.0.0.1', Meta: { env: 'prod', 'a.b': 'dotted' } },
  Service: {
    ID: 'web-1',
    Service: 'web',
    Tags: ['v1', 'primary'],
    Port: 8080,
    Weight: 1.5,
    Meta: { 'my-key': 'x', version: '1.5' },
    EnableTagOverride: false,
    Connect: { Native: true },
    Empty: '',
    NoTags: [],
    NoMeta: {},
    Nothing: null,
  },
  Checks: [
    { CheckID: 'serfHealth', Status: 'passing', ServiceTags: [] },
    { CheckID: 'service:web-1', Status: 'critical', ServiceTags: ['v1', 'canary'] },
  ],
};

interface Case { expression: string; expected: boolean; item?: unknown }

function table(cases: Case[]): [string, unknown, boolean][] {
  return cases.map(({ expression, expected, item }) => [expression, item ?? entry, expected]);
}

describe('compileFilter', () => {
  it.each(table([
    { expression: 'Service.Service == "web"', expected: true },
    { expression: 'Service.Service == "api"', expected: false },
    { expression: 'Service.Service == "WEB"', expected: false },
    { expression: 'Service.Service != "api"', expected: true },
    { expression: 'Service.Service != "web"', expected: false },
    { expression: 'Node.Meta.env == prod', expected: true },
    { expression: 'Node.Meta.env == `prod`', expected: true },
    { expression: 'Service.ID == "web-1"', expected: true },
  ]))('compares strings exactly with == and != (%s)', (expression, item, expected) => {
    expect(compileFilter(expression)(item)).toBe(expected);
  });

  it.each(table([
    { expression: 'Service.Port == 8080', expected: true },
    { expression: 'Service.Port == "8080"', expected: true },
    { expression: 'Service.Port == 8081', expected: false },
    { expression: 'Service.Port != 8081', expected: true },
    { expression: 'Service.Port == eighty', expected: false },
    { expression: 'Service.Weight == 1.5', expected: true },
    { expression: 'Service.Meta.version == 1.5', expected: true },
    { expression: 'Count == -1', item: { Count: -1 }, expected: true },
    { expression: 'Service.EnableTagOverride == false', expected: true },
    { expression: 'Service.EnableTagOverride == true', expected: false },
    { expression: 'Service.EnableTagOverride != true', expected: true },
    { expression: 'Service.Connect.Native == true', expected: true },
    { expression: 'Service.Connect.Native == "true"', expected: true },
    { expression: 'Service.Connect.Native == yes', expected: false },
  ]))('coerces the literal to the field type for numbers and booleans (%s)', (expression, item, expected) => {
    expect(compileFilter(expression)(item)).toBe(expected);
  });

  it.each(table([
    { expression: 'Service.Empty is empty', expected: true },
    { expression: 'Service.NoTags is empty', expected: true },
    { expression: 'Service.NoMeta is empty', expected: true },
    { expression: 'Service.Nothing is empty', expected: true },
    { expression: 'Service.Missing is empty', expected: true },
    { expression: 'Service.Tags is empty', expected: false },
    { expression: 'Service.Port is empty', expected: false },
    { expression: 'Service.Tags is not empty', expected: true },
    { expression: 'Service.Meta is not empty', expected: true },
    { expression: 'Service.NoTags is not empty', expected: false },
  ]))('treats missing, null, "", [] and {} as empty (%s)', (expression, item, expected) => {
    expect(compileFilter(expression)(item)).toBe(expected);
  });

  it.each(table([
    { expression: '"primary" in Service.Tags', expected: true },
    { expression: 'v1 in Service.Tags', expected: true },
    { expression: '"v2" in Service.Tags', expected: false },
    { expression: '"v2" not in Service.Tags', expected: true },
    { expression: '"v1" not in Service.Tags', expected: false },
    { expression: 'Service.Tags contains "v1"', expected: true },
    { expression: 'Service.Tags contains "v"', expected: false },
    { expression: 'Service.Tags not contains "v2"', expected: true },
    { expression: '"my-key" in Service.Meta', expected: true },
    { expression: '"x" in Service.Meta', expected: false },
    { expression: 'Node.Meta contains env', expected: true },
    { expression: 'Node.Meta not contains region', expected: true },
    { expression: '"web" in Service.ID', expected: true },
    { expression: 'Service.ID contains "-1"', expected: true },
    { expression: 'Service.ID not contains "api"', expected: true },
    { expression: '8080 in Ports', item: { Ports: [80, 8080] }, expected: true },
    { expression: '"x" in Service.Port', expected: false },
  ]))('uses membership, key presence or substring for in and contains (%s)', (expression, item, expected) => {
    expect(compileFilter(expression)(item)).toBe(expected);
  });

  it.each(table([
    { expression: 'Service.Service matches "^we"', expected: true },
    { expression: 'Service.Service matches "^api"', expected: false },
    { expression: 'Service.Service not matches "^api"', expected: true },
    { expression: 'Service.ID matches `^web-\\d+$`', expected: true },
    { expression: 'Service.ID matches "^web-\\\\d+$"', expected: true },
    { expression: 'Service.Service matches "(?i)^WEB$"', expected: true },
    { expression: 'Service.Tags matches "^prim"', expected: true },
    { expression: 'Service.Tags not matches "^v[0-9]$"', expected: false },
    { expression: 'Service.Port matches "80"', expected: false },
  ]))('matches regular expressions against strings and any element of a list (%s)', (expression, item, expected) => {
    expect(compileFilter(expression)(item)).toBe(expected);
  });

  it.each(table([
    { expression: 'Service.Missing == "x"', expected: false },
    { expression: 'Service.Missing != "x"', expected: true },
    { expression: '"x" in Service.Missing', expected: false },
    { expression: '"x" not in Service.Missing', expected: true },
    { expression: 'Service.Missing contains "x"', expected: false },
    { expression: 'Service.Missing not contains "x"', expected: true },
    { expression: 'Service.Missing matches "."', expected: false },
    { expression: 'Service.Missing not matches "."', expected: true },
    { expression: 'Nope.Deeper.Still == "x"', expected: false },
    { expression: 'Service.Nothing == "x"', expected: false },
    { expression: 'Service == "x"', item: 'not an object', expected: false },
  ]))('treats a missing field as not equal, not containing and not matching (%s)', (expression, item, expected) => {
    expect(compileFilter(expression)(item)).toBe(expected);
  });

  it.each(table([
    { expression: 'ServiceMeta["my-key"] == "x"', item: { ServiceMeta: { 'my-key': 'x' } }, expected: true },
    { expression: 'Service.Meta["my-key"] == x', expected: true },
    { expression: 'Service.Meta[`my-key`] is not empty', expected: true },
    { expression: 'Node.Meta["a.b"] == dotted', expected: true },
    { expression: 'Node.Meta[ "a.b" ] == dotted', expected: true },
    { expression: 'Node["Meta"].env == prod', expected: true },
    { expression: 'Service.Meta["other-key"] is empty', expected: true },
    { expression: 'service.service == web', expected: true },
    { expression: 'SERVICE.Port == 8080', expected: true },
  ]))('resolves bracket keys and falls back to case-insensitive field names (%s)', (expression, item, expected) => {
    expect(compileFilter(expression)(item)).toBe(expected);
  });

  it.each(table([
    { expression: '"critical" in Checks.Status', expected: true },
    { expression: '"warning" in Checks.Status', expected: false },
    { expression: '"warning" not in Checks.Status', expected: true },
    { expression: 'Checks.Status == "passing"', expected: true },
    { expression: 'Checks.Status == "warning"', expected: false },
    { expression: 'Checks.Status != "critical"', expected: false },
    { expression: 'Checks.CheckID matches "^service:"', expected: true },
    { expression: 'Checks.ServiceTags contains canary', expected: true },
    { expression: 'Checks.Missing is empty', expected: true },
    { expression: 'Checks.Status is not empty', expected: true },
    { expression: 'Checks.Status is empty', item: { Checks: [] }, expected: true },
  ]))('projects a field across the elements of an array (%s)', (expression, item, expected) => {
    expect(compileFilter(expression)(item)).toBe(expected);
  });

  it.each(table([
    { expression: 'Service.Service == web and Service.Port == 8080', expected: true },
    { expression: 'Service.Service == web and Service.Port == 1', expected: false },
    { expression: 'Service.Service == api or Service.Port == 8080', expected: true },
    { expression: 'Service.Service == api or Service.Port == 1', expected: false },
    { expression: 'not Service.Service == api', expected: true },
    { expression: 'not not Service.Service == web', expected: true },
    // and binds tighter than or: true or (false and false)
    { expression: 'Service.Port == 8080 or Service.Port == 1 and Service.Port == 2', expected: true },
    { expression: '(Service.Port == 8080 or Service.Port == 1) and Service.Port == 2', expected: false },
    // not binds tighter than and: (not true) and true
    { expression: 'not Service.Port == 8080 and Service.Service == web', expected: false },
    { expression: 'not (Service.Port == 1 and Service.Service == web)', expected: true },
    { expression: '((Service.Service == web))', expected: true },
    { expression: '"v1" in Service.Tags and not "critical" in Checks.Status', expected: false },
    { expression: 'Node.Meta.env == prod and (Service.Tags contains v2 or Service.Tags contains primary)', expected: true },
  ]))('combines matches with and, or, not and parentheses by precedence (%s)', (expression, item, expected) => {
    expect(compileFilter(expression)(item)).toBe(expected);
  });

  it.each(table([
    { expression: 'Name == "a\\"b"', item: { Name: 'a"b' }, expected: true },
    { expression: 'Name == "tab\\there"', item: { Name: 'tab\there' }, expected: true },
    { expression: 'Name == "\\u00e9"', item: { Name: 'é' }, expected: true },
    { expression: 'Name == `a\\"b`', item: { Name: 'a\\"b' }, expected: true },
    { expression: 'Name == "with space"', item: { Name: 'with space' }, expected: true },
    { expression: 'Name == "and"', item: { Name: 'and' }, expected: true },
    { expression: 'Name == a.b.c', item: { Name: 'a.b.c' }, expected: true },
    { expression: 'Name==x', item: { Name: 'x' }, expected: true },
  ]))('decodes double-quoted escapes, keeps raw strings verbatim and accepts bare words (%s)', (expression, item, expected) => {
    expect(compileFilter(expression)(item)).toBe(expected);
  });
});

describe('parseFilter', () => {
  it('builds an AST with and binding tighter than or', () => {
    expect(parseFilter('A == 1 or B == 2 and not C is empty')).toEqual({
      type: 'or',
      left: { type: 'match', op: '==', selector: ['A'], value: { raw: '1', kind: 'number' } },
      right: {
        type: 'and',
        left: { type: 'match', op: '==', selector: ['B'], value: { raw: '2', kind: 'number' } },
        right: { type: 'not', operand: { type: 'match', op: 'is empty', selector: ['C'] } },
      },
    });
  });

  it('produces a tree that evaluateFilter can reuse across items', () => {
    const node = parseFilter('"v1" in Service.Tags');
    expect(evaluateFilter(node, entry)).toBe(true);
    expect(evaluateFilter(node, { Service: { Tags: ['v2'] } })).toBe(false);
  });

  it.each([
    ['', /empty/],
    ['   ', /empty/],
    ['(Service.Port == 8080', /expected "\)"/],
    ['Service.Port == 8080)', /offset 20/],
    ['((A == 1)', /expected "\)"/],
    ['Service.Port ==', /expected a value after "=="/],
    ['Service.Port == and', /expected a value/],
    ['"x" in', /expected a selector after "in"/],
    ['Service.Port > 80', /unexpected character ">"/],
    ['Service.Port = 80', /unexpected character "="/],
    ['Service.Port equals 80', /expected an operator/],
    ['Service.Port', /expected an operator/],
    ['Service.Tags is', /expected "empty"/],
    ['Service.Tags is not', /expected "empty"/],
    ['Service.Tags not', /expected an operator/],
    ['"x" == Service.Port', /expected "in"/],
    ['Service.Port == 80 Service.ID == x', /expected "and", "or"/],
    ['Service.Port == 80 and', /expected a selector or a value/],
    ['or Service.Port == 80', /expected a selector or a value/],
    ['not', /expected a selector or a value/],
    ['()', /expected a selector or a value/],
    ['Service.Port == 80 AND Service.ID == x', /expected "and", "or"/],
    ['Name == "unterminated', /unterminated string/],
    ['Name == `unterminated', /unterminated raw string/],
    ['Name == "bad \\q escape"', /invalid escape/],
    ['Name matches "(unclosed"', /invalid regular expression/],
    ['Name not matches "[a-"', /invalid regular expression/],
    ['Meta["key" == x', /expected "\]"/],
    ['Meta[key] == x', /expected a quoted key/],
    ['Service. == x', /expected a field name/],
    ['Service.Port == 80x', /malformed number/],
    ['1Service == x', /malformed number/],
  ])('rejects the malformed expression %j with a FilterError', (expression, message) => {
    expect(() => parseFilter(expression)).toThrow(FilterError);
    expect(() => compileFilter(expression)).toThrow(message);
  });

  it('reports the offset of the offending token', () => {
    try {
      parseFilter('Service.Port == ');
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(FilterError);
      expect((err as FilterError).offset).toBe(16);
      expect((err as FilterError).message).toBe('syntax error at offset 16: expected a value after "==", found end of expression');
    }
  });
});
