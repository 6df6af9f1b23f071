// Wrangler's entry point: the HTTP app, and the Durable Object classes it binds.
import { env } from 'cloudflare:workers';
import { app } from './app';
import { cachedHit } from './cache/fast-path';
import { kvWatch } from './cache/kv-watch-fast-path';
import type { Env } from './env';
import { federationOf } from './federation/config';
import { dotSegmentRefusal } from './http/dot-segments';
import { drainUnread } from './http/drain';
import { INTERNAL_ERROR } from './http/errors';
import { heartbeat } from './heartbeat';
import { healthService } from './health-fast-path';
import { kvRead } from './kv-read';
import { kvWrite } from './kv-write';
import { localUi } from './local-ui';
import { recordFastPath } from './metrics/registry';

// Bad FEDERATION configuration stops the worker at start-up with a clear message, not at the first request.
federationOf(env as unknown as { FEDERATION?: unknown; DATACENTER?: string });

export default {
  async fetch(request: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
    try {
      // Before the fast paths too: no path with a dot segment reaches anything that reads it.
      const started = Date.now();
      const fast = dotSegmentRefusal(request, env) ?? cachedHit(request, env) ?? (await heartbeat(request, env)) ?? (await kvRead(request, env))
        ?? (await kvWrite(request, env)) ?? (await healthService(request, env, ctx)) ?? (await kvWatch(request, env, ctx));
      if (!fast) {
        const response = (env.LOCAL_UI && (await localUi(request, env))) || (await app.fetch(request, env, ctx));
        await drainUnread(request);
        return response;
      }
      recordFastPath(request, started);
      const draining = drainUnread(request);
      if (draining) await draining;
      return fast;
    } catch (err) {
      // The app answers its own errors (answerError); this catches what a fast path or the router throws.
      console.error(`${request.method} ${new URL(request.url).pathname}:`, err);
      return new Response(INTERNAL_ERROR, { status: 500, headers: { 'Content-Type': 'text/plain; charset=UTF-8' } });
    }
  },
};
export { Datacenter } from '../durable-objects/datacenter';
export { AgentShard } from '../durable-objects/shards/agent-shard';
