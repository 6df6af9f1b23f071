// Bodies of the agent endpoints: service registration (Consul's api.AgentServiceRegistration).
import { z } from 'zod';
import { CheckDefinitionSchema } from './check';
import { ServiceFieldsSchema } from './service';

export const AgentServiceRegistrationSchema = ServiceFieldsSchema.extend({
  Name: z.string().optional(),
  Check: CheckDefinitionSchema.optional(),
  Checks: z.array(CheckDefinitionSchema).optional(),
  Namespace: z.string().optional(),
  Partition: z.string().optional(),
  Locality: z.record(z.string(), z.json()).optional(),
});
export type AgentServiceRegistration = z.infer<typeof AgentServiceRegistrationSchema>;

/** Consul's serf member as `/v1/agent/members` and `agent/self` report it. */
export interface AgentMember {
  Name: string;
  Addr: string;
  Port: number;
  Tags: Record<string, string>;
  Status: number;
  ProtocolMin: number;
  ProtocolMax: number;
  ProtocolCur: number;
  DelegateMin: number;
  DelegateMax: number;
  DelegateCur: number;
}

/** IDs and texts Consul gives its built-in checks. */
export const SERF_HEALTH_CHECK_ID = 'serfHealth';
export const NODE_MAINTENANCE_CHECK_ID = '_node_maintenance';
export const serviceMaintenanceCheckId = (serviceId: string) => `_service_maintenance:${serviceId}`;

/** The Consul version Beacon answers as, in `agent/self` and `agent/version`. */
export const CONSUL_COMPATIBLE_VERSION = '1.20.0';
/** Patroni reads this from `agent/self` after a session TTL is refused. */
export const SESSION_TTL_MIN_NS = 10_000_000_000;
