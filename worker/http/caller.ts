// The address a request came from: Cloudflare's CF-Connecting-IP, set by the edge (and by the local
// runtime) and not forgeable by the client.
import type { Context } from 'hono';

export const callerAddress = (c: Context): string => c.req.header('CF-Connecting-IP') ?? '';
