import { describe, expect, it } from 'vitest';
import { AgentServiceRegistrationSchema } from '../consul/agent';
import { canonicalizeKeys, decodeBody } from './body';
import { ConsulError } from './errors';

describe('canonicalizeKeys', () => {
  it.each([
    ['PascalCase', { Name: 'web', EnableTagOverride: true }],
    ['lowercase (python-consul)', { name: 'web', enabletagoverride: true }],
    ['snake_case', { name: 'web', enable_tag_override: true }],
    ['SHOUTING', { NAME: 'web', ENABLETAGOVERRIDE: true }],
  ])('maps %s keys onto the schema', (_case, input) => {
    expect(canonicalizeKeys(AgentServiceRegistrationSchema, input)).toEqual({ Name: 'web', EnableTagOverride: true });
  });

  it('recurses into nested checks but keeps the keys of user maps', () => {
    const input = {
      name: 'web',
      meta: { MyKey: 'v', other_key: 'w' },
      check: { http: 'http://x/', interval: '10s', deregister_critical_service_after: '1m', header: { 'X-Token': ['a'] } },
      checks: [{ ttl: '5s', script_args: ['a'] }],
    };
    expect(canonicalizeKeys(AgentServiceRegistrationSchema, input)).toEqual({
      Name: 'web',
      Meta: { MyKey: 'v', other_key: 'w' },
      Check: { HTTP: 'http://x/', Interval: '10s', DeregisterCriticalServiceAfter: '1m', Header: { 'X-Token': ['a'] } },
      Checks: [{ TTL: '5s', ScriptArgs: ['a'] }],
    });
  });

  it('treats null as unset, as the Go client sends "Check": null', () => {
    expect(canonicalizeKeys(AgentServiceRegistrationSchema, { Name: 'web', Check: null, Checks: null })).toEqual({ Name: 'web' });
  });

  it('prefers the exact spelling when two keys fold to the same field', () => {
    expect(canonicalizeKeys(AgentServiceRegistrationSchema, { name: 'lower', Name: 'exact' })).toEqual({ Name: 'exact' });
  });
});

describe('decodeBody', () => {
  const failure = (text: string) => {
    try {
      decodeBody(text, AgentServiceRegistrationSchema);
    } catch (err) {
      expect(err).toBeInstanceOf(ConsulError);
      return { status: (err as ConsulError).status, message: (err as ConsulError).message };
    }
    throw new Error('expected a failure');
  };

  it.each([
    ['', /^Request decode failed: EOF$/],
    ['{"Name":', /^Request decode failed: /],
    ['{"Name": 42}', /^Request decode failed: Name: /],
    ['{"Name": "web", "Port": "80"}', /^Request decode failed: Port: /],
    ['{"Name": "web", "Check": {"TTL": "10x"}}', /^Request decode failed: time: invalid duration "10x"$/],
  ])('refuses %j with a 400', (text, message) => {
    const { status, message: text2 } = failure(text);
    expect(status).toBe(400);
    expect(text2).toMatch(message);
  });

  it('parses durations to milliseconds, strings and nanoseconds alike', () => {
    const body = decodeBody('{"name":"web","check":{"ttl":"1m30s"},"checks":[{"TTL":15000000000}]}', AgentServiceRegistrationSchema);
    expect(body.Check?.TTL).toBe(90_000);
    expect(body.Checks?.[0].TTL).toBe(15_000);
  });

  it('lets the caller decide what an empty body means', () => {
    expect(decodeBody(' ', AgentServiceRegistrationSchema, { emptyAs: {} })).toEqual({});
  });
});
