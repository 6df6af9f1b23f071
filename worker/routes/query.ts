// /v1/query: prepared queries (Consul's agent/prepared_query_endpoint.go). Stored per datacenter;
// /execute fails over across the federation (worker/federation/execute.ts).
import { Hono, type Context } from 'hono';
import { toPreparedQuery } from '../consul/parse-query';
import { PreparedQueryDefinitionSchema, REDACTED_TOKEN, type PreparedQuery } from '../consul/prepared-query';
import type { AppEnv } from '../env';
import { executePreparedQuery } from '../federation/execute';
import { blockingParams } from '../http/blocking';
import { readBody } from '../http/body';
import { endpoint } from '../http/endpoint';
import { ConsulError, serverError, unwrap } from '../http/errors';
import { consistencyMode } from '../http/flags';
import { empty, indexedJson, json, setIndex } from '../http/meta';
import { pathTail } from '../http/path';

export const query = new Hono<AppEnv>();

/** Consul never shows a stored token back. */
const redact = (q: PreparedQuery): PreparedQuery => (q.Token ? { ...q, Token: REDACTED_TOKEN } : q);
const queryNotFound = () => new ConsulError(404, 'Query not found');

async function definition(c: Context<AppEnv>, id: string, creating = false): Promise<PreparedQuery> {
  const body = await readBody(c, PreparedQueryDefinitionSchema, { emptyAs: {} });
  if (creating && body.ID) throw serverError('ID must be empty when creating a new prepared query');
  const parsed = toPreparedQuery(id, body);
  if ('reason' in parsed) throw serverError(parsed.reason);
  return parsed.query;
}

function limitParam(c: Context<AppEnv>): number {
  const text = c.req.query('limit');
  if (!text) return 0;
  if (!/^[+-]?\d+$/.test(text)) throw serverError(`Bad limit: strconv.Atoi: parsing "${text}": invalid syntax`);
  return Number(text);
}

async function resolve(c: Context<AppEnv>, idOrName: string): Promise<PreparedQuery> {
  const found = unwrap(await c.var.dc.preparedQueryResolve(idOrName));
  if (!found) throw queryNotFound();
  return found;
}

endpoint(query, '/', {
  GET: async (c) => {
    consistencyMode(c);
    const { index, value } = await c.var.dc.preparedQueryList(blockingParams(c));
    return indexedJson(c, value.map(redact), index);
  },
  POST: async (c) => {
    const created = await definition(c, crypto.randomUUID(), true);
    return json(c, { ID: unwrap(await c.var.dc.preparedQueryApply('create', created)) });
  },
});

endpoint(query, ['GET'], '/:id{.+}/execute', async (c) => {
  const id = pathTail(c, '/v1/query/').replace(/\/execute$/, '');
  const limit = limitParam(c);
  const found = await resolve(c, id);
  const { response, index, skipped } = await executePreparedQuery(c.env, c.var.federation, c.var.dcName, found, limit);
  // Beyond Consul: which datacenters were skipped (timeout or failure), so Failovers can be explained.
  if (skipped.length) c.header('X-Beacon-Skipped-Datacenters', skipped.map((s) => s.datacenter).join(','));
  return indexedJson(c, response, index);
});

endpoint(query, ['GET'], '/:id{.+}/explain', async (c) => {
  const id = pathTail(c, '/v1/query/').replace(/\/explain$/, '');
  limitParam(c);
  const found = await resolve(c, id);
  setIndex(c, 1);
  return json(c, { Query: redact(found) });
});

const queryId = (c: Context<AppEnv>) => pathTail(c, '/v1/query/');

endpoint(query, '/:id{.+}', {
  GET: async (c) => {
    consistencyMode(c);
    const { index, value } = await c.var.dc.preparedQueryGet(queryId(c), blockingParams(c));
    if (!value) throw new ConsulError(404, 'Query not found', { 'X-Consul-Index': String(index) });
    return indexedJson(c, [redact(value)], index);
  },
  // An update replaces the whole definition; the ID comes from the URL, not the body.
  PUT: async (c) => {
    unwrap(await c.var.dc.preparedQueryApply('update', await definition(c, queryId(c))));
    return empty(c);
  },
  DELETE: async (c) => {
    unwrap(await c.var.dc.preparedQueryApply('delete', { ID: queryId(c) } as PreparedQuery));
    return empty(c);
  },
});
