// Consul's agent config format for services: JSON and HCL decode to the same agent API bodies; unknown keys fail.
import { describe, expect, it } from 'vitest';
import { definitions } from './definitions';
import { parseHclValues as parseHcl } from '../../worker/hcl/values';

describe('service definition files', () => {
  it.each([
    ['JSON snake_case', { service: { name: 'web', id: 'web-1', port: 8080, tags: ['v1'], meta: { team: 'a' }, check: { http: 'http://127.0.0.1:1/h', interval: '10s' } } }],
    ['JSON case-insensitive keys', { Service: { Name: 'web', ID: 'web-1', Port: 8080, Tags: ['v1'], Meta: { team: 'a' }, Check: { HTTP: 'http://127.0.0.1:1/h', Interval: '10s' } } }],
    ['HCL block', parseHcl('service {\n  name = "web"\n  id = "web-1"\n  port = 8080\n  tags = ["v1"]\n  meta { team = "a" }\n  # comment\n  check { http = "http://127.0.0.1:1/h", interval = "10s" }\n}\n')],
  ])('%s', (_name, config) => {
    expect(definitions(config).services).toEqual([{ body: { Name: 'web', ID: 'web-1', Port: 8080, Tags: ['v1'], Meta: { team: 'a' }, Check: { HTTP: 'http://127.0.0.1:1/h', Interval: '10s' } }, token: undefined }]);
  });

  it('reads repeated HCL services blocks, weights and top-level checks with the CamelCase aliases', () => {
    const config = parseHcl('services { name = "a" weights { passing = 3 warning = 1 } }\nservices { name = "b" }\ncheck { name = "disk" ttl = "30s" ServiceID = "a" }');
    const d = definitions(config);
    expect(d.services.map((s) => s.body)).toEqual([{ Name: 'a', Weights: { Passing: 3, Warning: 1 } }, { Name: 'b' }]);
    expect(d.checks.map((c) => c.body)).toEqual([{ ID: 'disk', Name: 'disk', TTL: '30s', ServiceID: 'a' }]);
  });

  it.each([
    [{ service: { name: 'a', EnableTagOverride: true } }, 'invalid config key service.EnableTagOverride'],
    [{ service: { name: 'a', check: { ttl: '1s', bogus: 1 } } }, 'invalid config key service.check.bogus'],
    [{ service: { port: 1 } }, 'service: missing service name'],
    [{ services: [{ name: 'a', port: '80' }] }, 'services[0].port: expected an integer, got "80"'],
  ])('rejects %j', (config, message) => {
    expect(() => definitions(config)).toThrow(message);
  });

  // hcl v1's own texts, as Consul's agent prints them for a config file it cannot load.
  it.each([
    ['service {', 'At 1:11: object expected closing RBRACE got: EOF'],
    ['a = "x', 'At 1:7: literal not terminated'],
    ['a = ]', 'At 1:5: Unknown token: {Type:RBRACK Pos:1:5 Text:] JSON:false}'],
    ['a = 1\na = 2', 'At 2:1: The argument "a" at 1:1 was already set. Each argument can only be defined once'],
  ])('HCL %j fails', (src, message) => {
    expect(() => parseHcl(src)).toThrow(message);
  });

  it.each([
    ['labels nest', 'service "web" { port = 1 }', { service: { web: { port: 1 } } }],
    ['a repeated block is a list', 'check { ttl = "1s" }\ncheck { ttl = "2s" }', { check: [{ ttl: '1s' }, { ttl: '2s' }] }],
    ['numbers as strconv reads them', 'a = 0755\nb = 0x1F\nc = -2.5e1\nd = true', { a: 493, b: 31, c: -25, d: true }],
    ['lists of objects and a heredoc', 'l = [{ x = 1 }, "s"]\nh = <<EOF\nline\nEOF\n', { l: [{ x: 1 }, 's'], h: 'line\n' }],
  ])('HCL values: %s', (_name, src, expected) => {
    expect(parseHcl(src)).toEqual(expected);
  });
});
