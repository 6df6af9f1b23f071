// /dns-query: Consul's DNS interface as DNS-over-HTTPS (RFC 8484), `GET ?dns=<base64url>` and `POST` of
// `application/dns-message`. The dns-gateway relays plain UDP/TCP DNS here, so DNS is answered only once.
import { Buffer } from 'node:buffer';
import { Hono, type Context } from 'hono';
import type { AppEnv, Env } from '../env';
import type { Sources } from '../dns/answer';
import { respond } from '../dns/message';
import { dnsSettings, type DnsVars } from '../dns/settings';
import { federationOf } from '../federation/config';
import { chooseDatacenter } from '../federation/choose';
import { datacenterSource } from '../federation/dns';
import { aclSources } from '../acl/dns';
import { NOT_BOOTSTRAPPED } from '../acl/enforce';
import { aclBootstrapped, resolveSecret } from '../acl/resolve';
import { aclSettings } from '../acl/settings';
import { requestToken } from '../http/acl';
import { workerMetrics } from '../metrics/registry';

const DNS_MESSAGE = 'application/dns-message';
/** RFC 8484 4.1: a DNS message is at most 65535 bytes. */
const MAX_MESSAGE = 65535;

export const dnsQuery = new Hono<AppEnv>();

dnsQuery.get('/', async (c) => {
  const encoded = c.req.query('dns');
  if (!encoded || !/^[A-Za-z0-9_-]+={0,2}$/.test(encoded)) return c.text('Missing or malformed ?dns= (base64url DNS message)', 400);
  return answer(c, new Uint8Array(Buffer.from(encoded, 'base64url')));
});

dnsQuery.post('/', async (c) => {
  const type = (c.req.header('content-type') ?? '').split(';')[0].trim().toLowerCase();
  if (type !== DNS_MESSAGE) return c.text(`Content-Type must be ${DNS_MESSAGE}`, 415);
  const body = new Uint8Array(await c.req.arrayBuffer());
  if (body.byteLength > MAX_MESSAGE) return c.text('DNS message too large', 413);
  return answer(c, body);
});

dnsQuery.all('/', (c) => {
  c.header('Allow', 'GET, POST');
  return c.text('method not allowed', 405);
});

async function answer(c: Context<AppEnv>, query: Uint8Array): Promise<Response> {
  const started = Date.now();
  try {
    return await answerQuery(c, query);
  } finally {
    workerMetrics.sample('consul.dns.domain_query', Date.now() - started, { node: c.env.AGENT_NODE || 'beacon' });
  }
}

async function answerQuery(c: Context<AppEnv>, query: Uint8Array): Promise<Response> {
  let all = sources(c.env, c.req.raw);
  if (aclSettings(c.env).enabled) {
    // ACLs: the DNS gateway's token (X-Consul-Token), else anonymous; answers hold only what it may read.
    if (!(await aclBootstrapped(c.env))) return c.text(NOT_BOOTSTRAPPED, 403);
    const identity = await resolveSecret(c.env, requestToken(c), chooseDatacenter(c.env, c.req.raw)!.name);
    if (!identity) return c.text('ACL not found', 403);
    all = aclSources(all, identity);
  }
  const reply = await respond(query, all, dnsSettings(c.env as Env & DnsVars));
  if (!reply) return c.text('Malformed DNS message', 400);
  return new Response(reply.bytes, {
    headers: { 'Content-Type': DNS_MESSAGE, 'Cache-Control': `max-age=${reply.ttl}` },
  });
}

/** Datacenters through worker/federation/choose.ts, the one place that knows which exist; no dc label: the request region's. */
function sources(env: Env, request: Request): Sources {
  return (requested) => {
    const name = chooseDatacenter(env, request, requested)?.name;
    return name ? datacenterSource(env, name) : null;
  };
}
