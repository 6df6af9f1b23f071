// /v1/kv/<key>: read one key, a prefix (`?recurse`) or key names (`?keys`), write with `?cas`,
// `?acquire`, `?release`, delete one key or a tree (Consul's agent/kvs_endpoint.go).
import { Hono, type Context } from 'hono';
import { KV_MAX_VALUE_BYTES, kvKeyProblem, toDirEntry, type KvOp } from '../consul/kv';
import type { AppEnv } from '../env';
import { aclSettings } from '../acl/settings';
import { heldIndex } from '../cache/coalesce';
import { heldRead } from '../cache/held-read';
import { kvWatchKey } from '../cache/kv-watch-fast-path';
import type { BlockingParams, Indexed } from '../consul/common';
import { blockingParams } from '../http/blocking';
import { bodyTooLarge } from '../http/body';
import { endpoint } from '../http/endpoint';
import { badRequest, unwrap } from '../http/errors';
import { conflictingFlags, consistencyMode, has, uintQuery, uintQueryText } from '../http/flags';
import { kvJson } from '../http/kv-json';
import { bool, indexedJson, setIndex } from '../http/meta';
import { pathTail } from '../http/path';

export const kv = new Hono<AppEnv>();

const keyOf = (c: Context<AppEnv>) => pathTail(c, '/v1/kv/');

/** Checked for every method, as Consul does. */
function validateKey(key: string): void {
  const problem = kvKeyProblem(key);
  if (problem) throw badRequest(problem);
}

const NOW = { minIndex: 0, waitMs: 0 };

/**
 * A key's or a prefix's entries, blocking as asked. While ACLs are off, a watch waits on the same call as
 * the plain watches the fast path answers (kv-watch-fast-path.ts), then reads; with ACLs on, on one call
 * per token identity (held-read.ts).
 */
async function entries<T>(c: Context<AppEnv>, recurse: boolean, key: string, params: BlockingParams, get: (p: BlockingParams) => Promise<Indexed<T>>): Promise<Indexed<T>> {
  if (params.minIndex === 0 || aclSettings(c.env).enabled) return heldRead(c, recurse ? 'kvsList' : 'kvsGet', [key], params, get);
  await heldIndex(kvWatchKey(c.var.dcName, key, recurse), params, (p) => c.var.dc.kvsIndex(key, recurse, p), (p) => c.executionCtx.waitUntil(p));
  return get(NOW);
}

async function read(c: Context<AppEnv>): Promise<Response> {
  consistencyMode(c);
  const key = keyOf(c);
  if (key) validateKey(key);
  const params = blockingParams(c);
  if (has(c, 'keys')) {
    const separator = c.req.query('separator') ?? c.req.query('seperator') ?? '';
    const { index, value } = await heldRead(c, 'kvsListKeys', [key, separator], params, (p) => c.var.dc.kvsListKeys(key, separator, p));
    // Consul answers an empty listing with 404, except for the whole store.
    if (!value.length && key) return missing(c, index);
    return indexedJson(c, value, index);
  }
  if (has(c, 'recurse')) {
    const { index, value } = await entries(c, true, key, params, (p) => c.var.dc.kvsList(key, p));
    if (!value.length) return missing(c, index);
    setIndex(c, index);
    return kvJson(c, value.map((e) => toDirEntry(e)));
  }
  if (!key) throw badRequest('Missing key name');
  const { index, value } = await entries(c, false, key, params, (p) => c.var.dc.kvsGet(key, p));
  if (!value) return missing(c, index);
  if (has(c, 'raw')) {
    setIndex(c, index);
    return c.body(value.Value ?? new ArrayBuffer(0), 200, { 'Content-Type': 'text/plain', 'X-Content-Type-Options': 'nosniff', 'Content-Security-Policy': 'sandbox' });
  }
  setIndex(c, index);
  return kvJson(c, [toDirEntry(value)]);
}

/** A missing key is a 404 with an empty body that still carries the index (python-consul reads it). */
function missing(c: Context<AppEnv>, index: number): Response {
  setIndex(c, index);
  return c.body(null, 404);
}

async function write(c: Context<AppEnv>): Promise<Response> {
  const key = keyOf(c);
  if (!key) throw badRequest('Missing key name');
  validateKey(key);
  conflictingFlags(c, 'cas', 'acquire', 'release');
  const flags = uintQueryText(c, 'flags') ?? '0';
  const cas = uintQuery(c, 'cas');
  const declared = Number(c.req.header('Content-Length') ?? 0);
  if (declared > KV_MAX_VALUE_BYTES) throw bodyTooLarge(declared, KV_MAX_VALUE_BYTES);
  const value = await c.req.arrayBuffer();
  if (value.byteLength > KV_MAX_VALUE_BYTES) throw bodyTooLarge(value.byteLength, KV_MAX_VALUE_BYTES);
  const op: KvOp = { Verb: 'set', Key: key, Value: value, Flags: flags };
  const acquire = c.req.query('acquire');
  const release = c.req.query('release');
  if (cas !== undefined) Object.assign(op, { Verb: 'cas', Index: cas });
  else if (acquire !== undefined) Object.assign(op, { Verb: 'lock', Session: acquire });
  else if (release !== undefined) Object.assign(op, { Verb: 'unlock', Session: release });
  return bool(c, unwrap(await c.var.dc.kvsApply(op)));
}

async function remove(c: Context<AppEnv>): Promise<Response> {
  const key = keyOf(c);
  const recurse = has(c, 'recurse');
  if (!key && !recurse) throw badRequest('Missing key name');
  if (key) validateKey(key);
  conflictingFlags(c, 'recurse', 'cas');
  const cas = uintQuery(c, 'cas');
  const op: KvOp = recurse ? { Verb: 'delete-tree', Key: key } : cas !== undefined ? { Verb: 'delete-cas', Key: key, Index: cas } : { Verb: 'delete', Key: key };
  return bool(c, unwrap(await c.var.dc.kvsApply(op)));
}

endpoint(kv, '/:key{.*}', { GET: read, PUT: write, DELETE: remove });
