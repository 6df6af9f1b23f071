// Health checks: the definition clients send (agent and catalog), the runnable spec, and HealthCheck as returned.
import { z } from 'zod';
import { DurationSchema } from './duration';
import { type HealthStatus, type JsonObject, type Node, type RaftIndex } from './common';
import type { NodeService } from './service';

/** A check definition as sent to `/v1/agent/check/register` or embedded in a service registration. */
export const CheckDefinitionSchema = z.object({
  ID: z.string().optional(),
  CheckID: z.string().optional(),
  Name: z.string().optional(),
  Notes: z.string().optional(),
  ServiceID: z.string().optional(),
  Status: z.string().optional(),
  TTL: DurationSchema.optional(),
  HTTP: z.string().optional(),
  Method: z.string().optional(),
  Header: z.record(z.string(), z.array(z.string())).optional(),
  Body: z.string().optional(),
  DisableRedirects: z.boolean().optional(),
  TLSServerName: z.string().optional(),
  TLSSkipVerify: z.boolean().optional(),
  TCP: z.string().optional(),
  TCPUseTLS: z.boolean().optional(),
  UDP: z.string().optional(),
  GRPC: z.string().optional(),
  GRPCUseTLS: z.boolean().optional(),
  H2PING: z.string().optional(),
  OSService: z.string().optional(),
  Args: z.array(z.string()).optional(),
  /** What the Go client calls Args. */
  ScriptArgs: z.array(z.string()).optional(),
  DockerContainerID: z.string().optional(),
  Shell: z.string().optional(),
  AliasNode: z.string().optional(),
  AliasService: z.string().optional(),
  Interval: DurationSchema.optional(),
  Timeout: DurationSchema.optional(),
  SuccessBeforePassing: z.number().int().min(0).optional(),
  FailuresBeforeWarning: z.number().int().min(0).optional(),
  FailuresBeforeCritical: z.number().int().min(0).optional(),
  DeregisterCriticalServiceAfter: DurationSchema.optional(),
  OutputMaxSize: z.number().int().min(0).optional(),
});
export type CheckDefinition = z.infer<typeof CheckDefinitionSchema>;

/** The body of `PUT /v1/agent/check/update/:id`. */
export const CheckUpdateSchema = z.object({ Status: z.string().optional(), Output: z.string().optional() });

/** Check kinds Beacon runs itself; `''` is a catalog-only check that nothing runs. */
export type CheckType = 'ttl' | 'http' | 'tcp' | '';

/** What a Durable Object needs to run a check; durations in ms. */
export interface CheckRunSpec {
  TTL?: number;
  Interval?: number;
  Timeout?: number;
  HTTP?: string;
  Method?: string;
  Header?: Record<string, string[]>;
  Body?: string;
  DisableRedirects?: boolean;
  TLSSkipVerify?: boolean;
  TLSServerName?: string;
  TCP?: string;
  SuccessBeforePassing?: number;
  FailuresBeforeWarning?: number;
  FailuresBeforeCritical?: number;
  DeregisterCriticalServiceAfter?: number;
  OutputMaxSize?: number;
}

/** A check ready to store: identity, initial state and how to run it. */
export interface CheckSpec {
  CheckID: string;
  Name: string;
  Notes: string;
  ServiceID: string;
  /** Initial status for a new check; an existing check keeps its own. */
  Status?: HealthStatus;
  Output?: string;
  Type: CheckType;
  Run: CheckRunSpec;
}

/** Consul's structs.HealthCheck as every health endpoint returns it. */
export interface HealthCheck extends RaftIndex {
  Node: string;
  CheckID: string;
  Name: string;
  Status: HealthStatus;
  Notes: string;
  Output: string;
  ServiceID: string;
  ServiceName: string;
  ServiceTags: string[];
  Type: string;
  Interval: string;
  Timeout: string;
  ExposedPort: number;
  Definition: JsonObject;
}

/** Consul's structs.CheckServiceNode: one entry of `/v1/health/service/:name`. */
export interface ServiceEntry {
  Node: Node;
  Service: NodeService;
  Checks: HealthCheck[];
}
