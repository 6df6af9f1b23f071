import { describe, expect, it } from 'vitest';
import { toPreparedQuery } from './parse-query';
import type { PreparedQueryDefinition, PreparedQuery } from './prepared-query';
import { renderTemplate } from './query-template';

const template = (def: PreparedQueryDefinition): PreparedQuery => {
  const parsed = toPreparedQuery('00000000-0000-0000-0000-000000000001', { Template: { Type: 'name_prefix_match' }, ...def });
  if (!('query' in parsed)) throw new Error(parsed.reason);
  return parsed.query;
};
// Consul's documented example: geo-db-<customer>-<role> → mysql-<customer>, tagged <role>.
const GEO_DB = { Name: 'geo-db', Template: { Type: 'name_prefix_match', Regexp: '^geo-db-(.*?)-([^\\-]+?)$' }, Service: { Service: 'mysql-${match(1)}', Tags: ['${match(2)}'] } };

describe('renderTemplate', () => {
  it.each<[string, PreparedQueryDefinition, string, Partial<PreparedQuery['Service']>]>([
    ['name.suffix', { Name: 'svc-', Service: { Service: '${name.suffix}' } }, 'svc-redis', { Service: 'redis' }],
    ['name.full and name.prefix', { Name: 'a', Service: { Service: '${name.full}', Tags: ['${name.prefix}'] } }, 'abc', { Service: 'abc', Tags: ['a'] }],
    ['match(N) of the regexp', GEO_DB, 'geo-db-customer-primary', { Service: 'mysql-customer', Tags: ['primary'] }],
    ['match(N) past the groups, or with no match, as empty', GEO_DB, 'geo-db', { Service: 'mysql-', Tags: [''] }],
    ['Go named groups', { Name: 'x', Template: { Type: 'name_prefix_match', Regexp: '^x-(?P<env>\\w+)$' }, Service: { Service: 'app-${match(1)}' } }, 'x-prod', { Service: 'app-prod' }],
    ['$${ as a literal', { Name: 'lit', Service: { Service: 'lit', Tags: ['$${name.full}'] } }, 'lit-1', { Tags: ['${name.full}'] }],
    ['meta values and failover datacenters', { Name: 'm', Service: { Service: 's', NodeMeta: { rack: '${name.suffix}' }, Failover: { Datacenters: ['dc-${name.suffix}'] } } }, 'm2', { NodeMeta: { rack: '2' }, Failover: { NearestN: 0, Datacenters: ['dc-2'] } }],
  ])('%s', (_, def, name, service) => {
    expect(renderTemplate(template(def), name).Service).toMatchObject(service);
  });

  it('drops tags left empty when RemoveEmptyTags is set, and leaves the stored query as it was', () => {
    const query = template({ ...GEO_DB, Template: { ...GEO_DB.Template, RemoveEmptyTags: true }, Service: { Service: 'db', Tags: ['${match(2)}', 'fixed'] } });
    expect(renderTemplate(query, 'geo-db').Service.Tags).toEqual(['fixed']);
    expect(query.Service.Tags).toEqual(['${match(2)}', 'fixed']);
  });
});

describe('template compilation (templateProblem, through toPreparedQuery)', () => {
  const failed = (why: string) => ({ reason: `failed compiling template: ${why}` });
  it.each<[PreparedQueryDefinition, object]>([
    [{ Name: 'ok', Service: { Service: '${name.suffix}' } }, { query: expect.anything() }],
    [{ Service: { Service: '${name.full}' } }, { query: expect.anything() }],
    [{ Name: 'x', Template: { Type: 'regexp_match' }, Service: { Service: 's' } }, failed("Bad Template.Type 'regexp_match'")],
    [{ Name: 'x', Service: { Service: '${name.nope}' } }, failed("Bad evaluation for '${name.nope}' in Service.Service: unknown variable accessed: name.nope")],
    [{ Name: 'x', Service: { Service: 's', Tags: ['${name.full'] } }, failed("Bad format '${name.full' in Service.Tags[0]: expected \"}\" but found end of string")],
    [{ Name: 'x', Template: { Type: 'name_prefix_match', Regexp: '(' }, Service: { Service: 's' } }, { reason: expect.stringMatching(/^failed compiling template: Bad Regexp: /) }],
  ])('%j → %j', (def, outcome) => {
    expect(toPreparedQuery('00000000-0000-0000-0000-000000000002', { Template: { Type: 'name_prefix_match' }, ...def })).toEqual(outcome);
  });
});
