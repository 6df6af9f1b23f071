// Builders for Durable Object tests: a fresh object per test and Consul-shaped registrations.
import { env, runInDurableObject } from 'cloudflare:test';
import type { CheckSpec } from '../worker/consul/check';
import type { ServiceDefinition } from '../worker/consul/service';
import type { Datacenter } from './datacenter';

export const freshDatacenter = () => env.DATACENTER_OBJECT.getByName(`t-${crypto.randomUUID()}`);

export const NOW = { minIndex: 0, waitMs: 0 };

export function service(id: string, name = id, extra: Partial<ServiceDefinition> = {}): ServiceDefinition {
  return { ID: id, Service: name, Tags: [], Address: '10.0.0.1', Meta: {}, Port: 8080, Weights: { Passing: 1, Warning: 1 }, EnableTagOverride: false, ...extra };
}

export function ttlCheck(serviceId: string, ttlMs: number, extra: Partial<CheckSpec['Run']> = {}): CheckSpec {
  return { CheckID: `service:${serviceId}`, Name: 'ttl', Notes: '', ServiceID: serviceId, Type: 'ttl', Run: { TTL: ttlMs, ...extra } };
}

/** Runs `fn` inside the object, typed as the Datacenter it is. */
export const inObject = <R>(dc: DurableObjectStub<Datacenter>, fn: (instance: Datacenter, state: DurableObjectState) => R | Promise<R>) =>
  runInDurableObject(dc as unknown as DurableObjectStub, (instance, state) => fn(instance as unknown as Datacenter, state));
