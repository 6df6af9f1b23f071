// Prepared queries as Consul's JSON carries them (structs/prepared_query.go, api/prepared_query.go): the
// definition clients POST and PUT, the stored query, and what /execute answers.
import { z } from 'zod';
import type { RaftIndex, StringMap } from './common';
import { StringMapSchema } from './common';
import type { ServiceEntry } from './check';
import { parseGoDuration } from './duration';
import { templateProblem } from './query-template';

/** The body of `POST /v1/query` and `PUT /v1/query/:id`; every field optional, as Go decodes it. */
export const PreparedQueryDefinitionSchema = z.object({
  ID: z.string().optional(),
  Name: z.string().optional(),
  Session: z.string().optional(),
  Token: z.string().optional(),
  Service: z.object({
    Service: z.string().optional(),
    Failover: z.object({ NearestN: z.number().int().optional(), Datacenters: z.array(z.string()).optional() }).optional(),
    IgnoreCheckIDs: z.array(z.string()).optional(),
    OnlyPassing: z.boolean().optional(),
    Near: z.string().optional(),
    Tags: z.array(z.string()).optional(),
    NodeMeta: StringMapSchema.optional(),
    ServiceMeta: StringMapSchema.optional(),
    Connect: z.boolean().optional(),
  }).optional(),
  DNS: z.object({ TTL: z.string().optional() }).optional(),
  Template: z.object({ Type: z.string().optional(), Regexp: z.string().optional(), RemoveEmptyTags: z.boolean().optional() }).optional(),
});
export type PreparedQueryDefinition = z.infer<typeof PreparedQueryDefinitionSchema>;

/** Where a query looks when the local datacenter has no healthy instance. */
export interface QueryFailover {
  NearestN: number;
  Datacenters: string[] | null;
}

/** The service half of a query: what to look up and which instances count as healthy. */
export interface ServiceQuery {
  Service: string;
  Failover: QueryFailover;
  IgnoreCheckIDs: string[] | null;
  OnlyPassing: boolean;
  Near: string;
  /** Required tags; `!tag` forbids one. */
  Tags: string[] | null;
  NodeMeta: StringMap | null;
  ServiceMeta: StringMap | null;
  Connect: boolean;
}

/** A stored prepared query (structs.PreparedQuery). `Token` reads back as `<hidden>`. */
export interface PreparedQuery extends RaftIndex {
  ID: string;
  Name: string;
  Session: string;
  Token: string;
  Template: { Type: string; Regexp: string; RemoveEmptyTags: boolean };
  Service: ServiceQuery;
  DNS: { TTL: string };
}

/** The answer of `/v1/query/:id/execute` (structs.PreparedQueryExecuteResponse). */
export interface PreparedQueryExecuteResponse {
  Service: string;
  Nodes: ServiceEntry[];
  DNS: { TTL: string };
  /** The datacenter the nodes came from. */
  Datacenter: string;
  /** How many remote datacenters were tried. */
  Failovers: number;
}

export const REDACTED_TOKEN = '<hidden>';

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
