// The service instance as registered and as Consul returns it (NodeService, AgentService, CatalogService).
import { z } from 'zod';
import { JsonObjectSchema, StringMapSchema, WeightsSchema, type JsonObject, type Node, type RaftIndex, type StringMap, type Weights } from './common';

export const ServiceAddressSchema = z.object({ Address: z.string().default(''), Port: z.number().int().default(0) });
export type ServiceAddress = z.infer<typeof ServiceAddressSchema>;

export const SERVICE_KINDS = ['', 'connect-proxy', 'mesh-gateway', 'terminating-gateway', 'ingress-gateway', 'api-gateway'] as const;

/** Fields of a service instance common to agent and catalog registrations. */
export const ServiceFieldsSchema = z.object({
  ID: z.string().optional(),
  Tags: z.array(z.string()).optional(),
  Address: z.string().optional(),
  Port: z.number().int().min(0).max(65535).optional(),
  TaggedAddresses: z.record(z.string(), ServiceAddressSchema).optional(),
  Meta: StringMapSchema.optional(),
  Weights: WeightsSchema.optional(),
  EnableTagOverride: z.boolean().optional(),
  Kind: z.enum(SERVICE_KINDS).optional(),
  Proxy: JsonObjectSchema.optional(),
  Connect: JsonObjectSchema.optional(),
  SocketPath: z.string().optional(),
});

/** A service instance as stored: what NodeService carries, without indexes. */
export interface ServiceDefinition {
  Kind?: string;
  ID: string;
  Service: string;
  Tags: string[];
  Address: string;
  TaggedAddresses?: Record<string, ServiceAddress>;
  Meta: StringMap;
  Port: number;
  SocketPath?: string;
  Weights: Weights;
  EnableTagOverride: boolean;
  Proxy?: JsonObject;
  Connect?: JsonObject;
}

/** Consul's structs.NodeService: the `Service` of a health entry and the values of a catalog node's `Services`. */
export type NodeService = ServiceDefinition & RaftIndex;

/** Consul's api.AgentService, as `/v1/agent/services` returns it. */
export type AgentService = ServiceDefinition & { Datacenter: string; ContentHash?: string };

/** Consul's structs.ServiceNode as `/v1/catalog/service/:name` returns it. */
export interface CatalogService extends RaftIndex {
  ID: string;
  Node: string;
  Address: string;
  Datacenter: string;
  TaggedAddresses: StringMap;
  NodeMeta: StringMap;
  ServiceKind: string;
  ServiceID: string;
  ServiceName: string;
  ServiceTags: string[];
  ServiceAddress: string;
  ServiceTaggedAddresses?: Record<string, ServiceAddress>;
  ServiceWeights: Weights;
  ServiceMeta: StringMap;
  ServicePort: number;
  ServiceSocketPath?: string;
  ServiceEnableTagOverride: boolean;
  ServiceProxy: JsonObject;
  ServiceConnect: JsonObject;
}

/** A service instance on its node, the raw material of catalog and health answers. */
export interface ServiceInstance {
  node: Node;
  service: NodeService;
}
