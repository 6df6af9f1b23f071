// The route table: global middleware, one mount per Consul API area, one error handler.
import { Hono } from 'hono';
import type { AppEnv } from './env';
import { aclEnforce } from './acl/middleware';
import { acl } from './http/acl';
import { cachedReads } from './cache/serve';
import { datacenter } from './http/datacenter';
import { answerError } from './http/errors';
import { agent } from './routes/agent';
import { aclApi } from './routes/acl';
import { aclInternal } from './routes/acl-internal';
import { agentChecks } from './routes/agent-checks';
import { catalog } from './routes/catalog';
import { dnsQuery } from './routes/dns-query';
import { event } from './routes/event';
import { health } from './routes/health';
import { internalUi } from './routes/internal-ui';
import { kv } from './routes/kv';
import { metrics } from './routes/metrics';
import { recordHttp } from './metrics/registry';
import { query } from './routes/query';
import { session } from './routes/session';
import { snapshot } from './routes/snapshot';
import { status } from './routes/status';
import { txn } from './routes/txn';
import { ui } from './routes/ui';

export const app = new Hono<AppEnv>();

app.use('/v1/*', recordHttp, acl, datacenter, aclEnforce);
// `?cached`/`?stale` reads (worker/cache/): after the ACL check; the cache reads the route through the app itself.
app.use('/v1/*', cachedReads((c) => async (request) => app.fetch(request, c.env, c.executionCtx)));

app.route('/v1/acl', aclApi);
app.route('/v1/internal/acl', aclInternal);
app.route('/v1/agent', agent);
app.route('/v1/agent', agentChecks);
app.route('/v1/agent', metrics);
app.route('/v1/catalog', catalog);
app.route('/v1/event', event);
app.route('/v1/health', health);
app.route('/v1/internal/ui', internalUi);
app.route('/v1/kv', kv);
app.route('/v1/query', query);
app.route('/v1/session', session);
app.route('/v1/snapshot', snapshot);
app.route('/v1/status', status);
app.route('/v1/txn', txn);

// DNS-over-HTTPS: outside /v1/*, so no ACL or ?dc= middleware (the datacenter is part of the name).
app.route('/dns-query', dnsQuery);

app.route('/', ui);

app.notFound((c) =>
  c.req.path.startsWith('/v1/') ? c.text('Invalid URL path: not a recognized HTTP API endpoint', 404) : c.text('404 page not found', 404),
);

app.onError(answerError);
