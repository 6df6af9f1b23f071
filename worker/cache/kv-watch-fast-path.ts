// A plain blocking KV watch, `GET /v1/kv/<key>?index=N[&wait=W][&recurse]` (no other parameter but
// `token`), answered before the router while ACLs are off: the watch config loaders and `consul watch
// -type=key|keyprefix` hold. Identical watches in one isolate share one call into the object and one text
// per index (held-answer.ts), as health watches do; a parked watcher holds no Hono context and no stub.
// Anything else (`?keys`, `?raw`, `?dc=`, `?pretty`, ACLs on…) takes the full app, which answers the same.
import { aclSettings } from '../acl/settings';
import { kvKeyProblem, toDirEntry, type KvEntry } from '../consul/kv';
import type { Env } from '../env';
import { chooseDatacenter, datacenterStub } from '../federation/choose';
import { kvJsonText } from '../http/kv-json';
import { decoded, plainRequest } from '../plain-request';
import { heldAnswer } from './held-answer';
import { answered, plainWait } from './held-response';

const PLAIN = new Set(['index', 'wait', 'token', 'recurse']);
const NOW = { minIndex: 0, waitMs: 0 };
const JSON_TYPE = { 'Content-Type': 'application/json' };

/** The text of a KV answer as the route writes it; empty for its 404 (no key, or nothing under the prefix). */
const entriesText = (entries: KvEntry[]) => (entries.length ? kvJsonText(JSON.stringify(entries.map((e) => toDirEntry(e)))) : '');

/** What identical KV watches share one call on, here and in the route (worker/routes/kv.ts). */
export const kvWatchKey = (dc: string, key: string, recurse: boolean) => `${dc}\u0000kv.${recurse ? 'list' : 'get'}:${key}`;

/** The watch's answer, or undefined when the full app must answer it. */
export async function kvWatch(request: Request, env: Env, ctx: ExecutionContext): Promise<Response | undefined> {
  if (request.method !== 'GET' || aclSettings(env).enabled) return undefined;
  const plain = plainRequest(request, '/v1/kv/', PLAIN);
  const key = plain && decoded(plain.rawTail);
  const params = plain && plainWait(plain.params, env);
  if (key === undefined || !params) return undefined;
  // Consul reads `recurse` by presence alone; the route's 400s (no key, a bad one) are its own to give.
  const recurse = plain.params.has('recurse');
  if ((!recurse && !key) || (key && kvKeyProblem(key))) return undefined;
  const dc = chooseDatacenter(env, request);
  if (!dc) return undefined;
  const stub = () => datacenterStub(env, dc.name)!;
  const read = kvWatchKey(dc.name, key, recurse);
  const answer = await heldAnswer({
    indexKey: read,
    answerKey: read,
    index: (p) => stub().kvsIndex(key, recurse, p),
    text: recurse
      ? async () => { const { index, value } = await stub().kvsList(key, NOW); return { index, value: entriesText(value) }; }
      : async () => { const { index, value } = await stub().kvsGet(key, NOW); return { index, value: entriesText(value ? [value] : []) }; },
  }, params, (p) => ctx.waitUntil(p));
  return answered(env, answer, JSON_TYPE);
}
