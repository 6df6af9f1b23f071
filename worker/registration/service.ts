// Turns a registration body into the stored service definition, with Consul's defaults and checks
// (agent/structs ValidateServiceMetadata, agent.go validateService).
import { DEFAULT_WEIGHTS, type JsonObject, type StringMap } from '../consul/common';
import type { ServiceAddress, ServiceDefinition } from '../consul/service';
import { ServiceFieldsSchema } from '../consul/service';
import type { z } from 'zod';
import { ConsulError } from '../http/errors';

type ServiceFields = z.infer<typeof ServiceFieldsSchema>;

const META_KEY = /^[A-Za-z0-9_-]+$/;
export const MAX_META_PAIRS = 64;

export function validateMeta(meta: StringMap, fail: (reason: string) => ConsulError): void {
  const entries = Object.entries(meta);
  if (entries.length > MAX_META_PAIRS) throw fail(`Node metadata cannot contain more than ${MAX_META_PAIRS} key/value pairs`);
  for (const [key, value] of entries) {
    if (key === '') throw fail('Key cannot be blank');
    if (!META_KEY.test(key)) throw fail(`Key contains invalid characters`);
    if (key.length > 128) throw fail(`Key is too long (limit: 128 characters)`);
    if (key.startsWith('consul-')) throw fail(`Key prefix 'consul-' is reserved for internal use`);
    if (value.length > 512) throw fail(`Value is too long (limit: 512 characters)`);
  }
}

const isIPv4 = (a: string) => /^\d{1,3}(\.\d{1,3}){3}$/.test(a);
const isIPv6 = (a: string) => a.includes(':') && /^[0-9a-fA-F:.]+$/.test(a);

/** The agent adds `lan_ipv4`/`wan_ipv4` (or `_ipv6`) tagged addresses for an IP service address. */
function taggedAddressesFor(address: string, port: number, given?: Record<string, ServiceAddress>) {
  if (given && Object.keys(given).length) return given;
  const family = isIPv4(address) ? 'ipv4' : isIPv6(address) ? 'ipv6' : '';
  if (!family) return undefined;
  return { [`lan_${family}`]: { Address: address, Port: port }, [`wan_${family}`]: { Address: address, Port: port } };
}

/** The agent refuses bad weights; the catalog stores Consul's default instead (structs.ToServiceNode). */
function weightsOf(given: ServiceFields['Weights'], fail: (reason: string) => ConsulError, refuseInvalid: boolean) {
  if (!given) return DEFAULT_WEIGHTS;
  const problem =
    given.Passing < 1 ? 'Passing must be greater than 0' : given.Warning < 0 ? 'Warning must be greater or equal than 0' : undefined;
  if (problem === undefined) return given;
  if (refuseInvalid) throw fail(`Invalid Weights: ${problem}`);
  return DEFAULT_WEIGHTS;
}

/**
 * Builds the stored instance. `fail` makes the error each caller answers with (400 on the agent,
 * 500 on the catalog, as Consul does). `agent` is the agent endpoint's stricter validation: only it
 * refuses bad `Weights`; the catalog (Go's api always sends `{"Passing":0,"Warning":0}` there) keeps
 * the default 1/1.
 */
export function toServiceDefinition(
  name: string,
  fields: ServiceFields,
  fail: (reason: string) => ConsulError,
  options: { agent?: boolean } = {},
): ServiceDefinition {
  const address = fields.Address ?? '';
  if (address === '0.0.0.0' || address === '::' || address === '[::]') throw fail('Invalid service address');
  const weights = weightsOf(fields.Weights, fail, options.agent ?? false);
  const meta = fields.Meta ?? {};
  validateMeta(meta, (reason) => fail(`Invalid Service Meta: ${reason}`));
  const port = fields.Port ?? 0;
  const service: ServiceDefinition = {
    ID: fields.ID || name,
    Service: name,
    Tags: fields.Tags ?? [],
    Address: address,
    Meta: meta,
    Port: port,
    Weights: weights,
    EnableTagOverride: fields.EnableTagOverride ?? false,
  };
  const tagged = options.agent ? taggedAddressesFor(address, port, fields.TaggedAddresses) : fields.TaggedAddresses;
  if (tagged && Object.keys(tagged).length) service.TaggedAddresses = tagged;
  if (fields.Kind) service.Kind = fields.Kind;
  if (fields.SocketPath) service.SocketPath = fields.SocketPath;
  if (fields.Proxy && Object.keys(fields.Proxy).length) service.Proxy = fields.Proxy as JsonObject;
  if (fields.Connect && Object.keys(fields.Connect).length) service.Connect = fields.Connect as JsonObject;
  return service;
}
