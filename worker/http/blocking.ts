// `?index=` and `?wait=` for blocking queries, as Consul's parseWait/blockingquery: default 5m,
// capped (10m in Consul, MAX_WAIT_MS here), plus a random jitter of up to wait/16.
import type { Context } from 'hono';
import type { BlockingParams } from '../consul/common';
import { parseGoDuration } from '../consul/duration';
import type { AppEnv } from '../env';
import { badRequest } from './errors';

export const DEFAULT_WAIT_MS = 5 * 60_000;
export const MAX_WAIT_MS = 10 * 60_000;

export function blockingParams(c: Context<AppEnv>): BlockingParams {
  return blockingParamsOf(c.req.query('index'), c.req.query('wait'), c.env.MAX_WAIT_MS);
}

/** The same from the raw `index` and `wait` texts (the fast paths read them without Hono); throws Consul's 400s. */
export function blockingParamsOf(indexText: string | null | undefined, waitText: string | null | undefined, maxWait: string | undefined): BlockingParams {
  let minIndex = 0;
  if (indexText) {
    if (!/^\d+$/.test(indexText)) throw badRequest('Invalid index');
    minIndex = Number(indexText);
  }
  let waitMs = DEFAULT_WAIT_MS;
  if (waitText) {
    const parsed = parseGoDuration(waitText);
    if (parsed === undefined) throw badRequest('Invalid wait time');
    if (parsed > 0) waitMs = parsed;
  }
  waitMs = Math.min(waitMs, Number(maxWait) || MAX_WAIT_MS);
  return { minIndex, waitMs: waitMs + Math.random() * (waitMs / 16) };
}
