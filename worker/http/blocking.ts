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
  const indexText = c.req.query('index');
  let minIndex = 0;
  if (indexText !== undefined && indexText !== '') {
    if (!/^\d+$/.test(indexText)) throw badRequest('Invalid index');
    minIndex = Number(indexText);
  }
  const waitText = c.req.query('wait');
  let waitMs = DEFAULT_WAIT_MS;
  if (waitText !== undefined && waitText !== '') {
    const parsed = parseGoDuration(waitText);
    if (parsed === undefined) throw badRequest('Invalid wait time');
    if (parsed > 0) waitMs = parsed;
  }
  const cap = Number(c.env.MAX_WAIT_MS) || MAX_WAIT_MS;
  waitMs = Math.min(waitMs, cap);
  return { minIndex, waitMs: waitMs + Math.random() * (waitMs / 16) };
}
