// Prepared queries as Consul's JSON carries them (structs/prepared_query.go, api/prepared_query.go): the
// definition clients POST and PUT, the stored query, and what /execute answers.
import { z } from 'zod';
import type { RaftIndex, StringMap } from './common';
import { StringMapSchema } from './common';
import type { ServiceEntry } from './check';

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
