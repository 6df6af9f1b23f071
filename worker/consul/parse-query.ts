// Consul's parseQuery (agent/consul/prepared_query_endpoint.go): a definition as stored, defaults filled
// in, or why it is refused; a template is compiled last, as the state store does. Apart from
// prepared-query.ts so the shapes and the template code do not import each other.
import { parseGoDuration } from './duration';
import { REDACTED_TOKEN, type PreparedQuery, type PreparedQueryDefinition } from './prepared-query';
import { templateProblem } from './query-template';

/** A definition as stored: defaults filled in, or the reason Consul's parseQuery refuses it. */
export function toPreparedQuery(id: string, def: PreparedQueryDefinition): { query: PreparedQuery } | { reason: string } {
  const s = def.Service ?? {};
  const query: PreparedQuery = {
    ID: id, Name: def.Name ?? '', Session: def.Session ?? '', Token: def.Token ?? '',
    Template: { Type: def.Template?.Type ?? '', Regexp: def.Template?.Regexp ?? '', RemoveEmptyTags: def.Template?.RemoveEmptyTags ?? false },
    Service: {
      Service: s.Service ?? '',
      Failover: { NearestN: s.Failover?.NearestN ?? 0, Datacenters: s.Failover?.Datacenters ?? null },
      IgnoreCheckIDs: s.IgnoreCheckIDs ?? null, OnlyPassing: s.OnlyPassing ?? false, Near: s.Near ?? '',
      Tags: s.Tags ?? null, NodeMeta: s.NodeMeta ?? null, ServiceMeta: s.ServiceMeta ?? null, Connect: s.Connect ?? false,
    },
    DNS: { TTL: def.DNS?.TTL ?? '' },
    CreateIndex: 0, ModifyIndex: 0,
  };
  const invalid = (why: string) => ({ reason: `Invalid prepared query: ${why}` });
  if (!query.Name && !query.Template.Type && !query.Session) return invalid('Must be bound to a session');
  if (query.Token === REDACTED_TOKEN) {
    return invalid(`Bad Token '${REDACTED_TOKEN}', it looks like a query definition with a redacted token was submitted`);
  }
  if (!query.Service.Service) return invalid('Must provide a Service name to query');
  if (query.Service.Failover.NearestN < 0) return invalid(`Bad NearestN '${query.Service.Failover.NearestN}', must be >= 0`);
  if (query.DNS.TTL) {
    const ttl = parseGoDuration(query.DNS.TTL);
    if (ttl === undefined) return invalid(`Bad DNS TTL '${query.DNS.TTL}': time: invalid duration "${query.DNS.TTL}"`);
    if (ttl < 0) return invalid(`DNS TTL '${ttl * 1e6}', must be >=0`);
  }
  // Consul compiles a template in its state store, after the checks above.
  const problem = query.Template.Type ? templateProblem(query) : undefined;
  if (problem) return { reason: `failed compiling template: ${problem}` };
  return { query };
}
