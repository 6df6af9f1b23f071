// Wrangler's entry point: the HTTP app, and the Durable Object class it binds.
import { env } from 'cloudflare:workers';
import { app } from './app';
import { federationOf } from './federation/config';

// Bad FEDERATION configuration stops the worker at start-up with a clear message, not at the first request.
federationOf(env as unknown as { FEDERATION?: unknown; DATACENTER?: string });

export default app;
export { Datacenter } from '../durable-objects/datacenter';
