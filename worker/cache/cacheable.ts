// Which reads Consul's agent cache serves (agent/cache-types, ../shared/consul-api.md §14), and how:
// background-refresh types are kept fresh by one blocking query each; simple types are fetched on a
// miss and kept until they are older than the request's `Cache-Control: max-age`.
import { rawPath } from '../http/path';

export type CacheKind = 'background' | 'simple';

const BACKGROUND = [/^\/v1\/catalog\/services$/, /^\/v1\/catalog\/service\/.+/, /^\/v1\/health\/service\/.+/, /^\/v1\/health\/connect\/.+/, /^\/v1\/health\/ingress\/.+/, /^\/v1\/catalog\/connect\/.+/];
const SIMPLE = [/^\/v1\/catalog\/datacenters$/, /^\/v1\/query\/[^/]+\/execute$/];

/** The cache type of a GET path (raw, as the request line names it), or undefined when Consul does not cache it. */
export function cacheKindOf(method: string, path: string): CacheKind | undefined {
  if (method !== 'GET' && method !== 'HEAD') return undefined;
  if (BACKGROUND.some((re) => re.test(path))) return 'background';
  if (SIMPLE.some((re) => re.test(path))) return 'simple';
  return undefined;
}

export const cacheKindOfUrl = (method: string, url: string) => cacheKindOf(method, rawPath(url));
