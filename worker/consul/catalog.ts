// Bodies of `PUT /v1/catalog/register` and `/v1/catalog/deregister` (Consul's structs.RegisterRequest).
import { z } from 'zod';
import { StringMapSchema } from './common';
import { DurationSchema } from './duration';
import { ServiceFieldsSchema } from './service';

const CatalogCheckDefinitionSchema = z.object({
  HTTP: z.string().optional(),
  TCP: z.string().optional(),
  Method: z.string().optional(),
  Header: z.record(z.string(), z.array(z.string())).optional(),
  Body: z.string().optional(),
  TLSSkipVerify: z.boolean().optional(),
  Interval: DurationSchema.optional(),
  Timeout: DurationSchema.optional(),
  DeregisterCriticalServiceAfter: DurationSchema.optional(),
  IntervalDuration: DurationSchema.optional(),
  TimeoutDuration: DurationSchema.optional(),
  DeregisterCriticalServiceAfterDuration: DurationSchema.optional(),
});

export const CatalogCheckSchema = z.object({
  Node: z.string().optional(),
  CheckID: z.string().optional(),
  Name: z.string().optional(),
  Status: z.string().optional(),
  Notes: z.string().optional(),
  Output: z.string().optional(),
  ServiceID: z.string().optional(),
  Type: z.string().optional(),
  Definition: CatalogCheckDefinitionSchema.optional(),
});
export type CatalogCheck = z.infer<typeof CatalogCheckSchema>;

export const CatalogServiceSchema = ServiceFieldsSchema.extend({ Service: z.string().optional() });

export const CatalogRegistrationSchema = z.object({
  ID: z.string().optional(),
  Node: z.string().optional(),
  Address: z.string().optional(),
  Datacenter: z.string().optional(),
  TaggedAddresses: StringMapSchema.optional(),
  NodeMeta: StringMapSchema.optional(),
  Service: CatalogServiceSchema.optional(),
  Check: CatalogCheckSchema.optional(),
  Checks: z.array(CatalogCheckSchema).optional(),
  SkipNodeUpdate: z.boolean().optional(),
});
export type CatalogRegistration = z.infer<typeof CatalogRegistrationSchema>;

export const CatalogDeregistrationSchema = z.object({
  Node: z.string().optional(),
  ServiceID: z.string().optional(),
  CheckID: z.string().optional(),
  Datacenter: z.string().optional(),
});
export type CatalogDeregistration = z.infer<typeof CatalogDeregistrationSchema>;
