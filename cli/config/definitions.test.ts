// Consul's agent config format for services: JSON and HCL decode to the same agent API bodies; unknown keys fail.
import { describe, expect, it } from 'vitest';
import { definitions } from './definitions';
import { parseHcl } from './hcl';

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

  it.each([['service {', 'unexpected end of file'], ['a = "x', 'line 1: unterminated string'], ['a = ]', 'line 1: expected a value']])('HCL %j fails', (src, message) => {
    expect(() => parseHcl(src)).toThrow(message);
  });
});
