// The request's `Cache-Control` as Consul's agent/http.go parseCacheControl reads it: lower-cased,
// comma-split; `max-age=N` and `stale-if-error=N` in whole seconds (`max-age=0` means must-revalidate),
// `must-revalidate`. Anything that is not an integer is Consul's 400.
import { badRequest } from '../http/errors';

export interface CacheControl {
  /** ms; undefined when not given. */
  maxAgeMs?: number;
  staleIfErrorMs?: number;
  mustRevalidate: boolean;
}

export const INVALID_CACHE_CONTROL = 'Invalid Cache-Control header.';

export function parseCacheControl(header: string | null | undefined): CacheControl {
  const control: CacheControl = { mustRevalidate: false };
  if (!header) return control;
  for (const raw of header.toLowerCase().split(',')) {
    const directive = raw.trim();
    if (directive === 'must-revalidate') control.mustRevalidate = true;
    const [name, value] = directive.split('=', 2).map((s) => s.trim());
    if (name !== 'max-age' && name !== 'stale-if-error') continue;
    if (value === undefined || !/^\d+$/.test(value)) throw badRequest(INVALID_CACHE_CONTROL);
    const ms = Number(value) * 1000;
    if (name === 'max-age') {
      control.maxAgeMs = ms;
      if (ms === 0) control.mustRevalidate = true;
    } else control.staleIfErrorMs = ms;
  }
  return control;
}
