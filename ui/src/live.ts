// Live reads: a blocking query per watched path (`?index=&wait=`), re-issued when it answers, so a
// page follows changes without reloading or polling. A failed request marks the connection lost and
// retries with backoff; the header shows that while any watch is failing.
import { useEffect, useState } from 'preact/hooks';
import { ApiError, get, request, url } from './api';

const WAIT = '5m';
let failing = 0;
const listeners = new Set<(lost: boolean) => void>();
const setFailing = (delta: number) => {
  failing += delta;
  for (const l of listeners) l(failing > 0);
};

/** True while some watch cannot reach Beacon. */
export function useConnectionLost(): boolean {
  const [lost, setLost] = useState(failing > 0);
  useEffect(() => {
    listeners.add(setLost);
    return () => void listeners.delete(setLost);
  }, []);
  return lost;
}

export interface Watched<T> {
  data?: T;
  error?: ApiError;
}

/** Follows `path` in datacenter `dc`; `path === null` watches nothing. */
export function useWatch<T>(path: string | null, dc: string, query: Record<string, string | undefined> = {}): Watched<T> {
  const [state, setState] = useState<Watched<T>>({});
  const key = path === null ? null : url(path, dc, query);
  useEffect(() => {
    if (key === null) return;
    setState({});
    const abort = new AbortController();
    let index = 0;
    let lost = false;
    let backoff = 500;
    (async () => {
      while (!abort.signal.aborted) {
        try {
          // After a failure the first retry reads at once, so the indicator clears as soon as Beacon answers.
          const answer = await get<T>(url(key, '', index && !lost ? { index, wait: WAIT } : {}), abort.signal);
          if (lost) (lost = false), setFailing(-1);
          backoff = 500;
          // An index that goes backwards (a restarted store) starts the watch over, as Consul's clients do.
          const next = answer.index < index ? 0 : answer.index;
          if (next !== index || index === 0) setState({ data: answer.body });
          index = Math.max(1, next);
        } catch (err) {
          if (abort.signal.aborted) break;
          if (err instanceof ApiError) {
            // Beacon answered: the read itself is refused (404, 403…). Show it and stop watching.
            setState({ error: err });
            break;
          }
          if (!lost) (lost = true), setFailing(1);
          await new Promise((r) => setTimeout(r, backoff));
          backoff = Math.min(backoff * 2, 8000);
        }
      }
    })();
    return () => {
      abort.abort();
      if (lost) setFailing(-1);
    };
  }, [key]);
  return state;
}

/** A one-off read (no watch), re-run when `path` changes or `reload()` is called. */
export function useRead<T>(path: string | null, dc: string): Watched<T> & { reload: () => void } {
  const [state, setState] = useState<Watched<T>>({});
  const [n, setN] = useState(0);
  const key = path === null ? null : url(path, dc);
  useEffect(() => {
    if (key === null) return;
    let live = true;
    get<T>(key).then((a) => live && setState({ data: a.body }), (e) => live && setState({ error: e instanceof ApiError ? e : new ApiError(0, String(e)) }));
    return () => void (live = false);
  }, [key, n]);
  return { ...state, reload: () => setN((x) => x + 1) };
}

/**
 * Whether the current token may do `access` on `resource`/`segment` (POST /v1/internal/acl/authorize, as
 * Consul's UI asks). `undefined` while unknown or when the server cannot say (ACLs off): only a definite
 * "no" is shown; the server still decides every request.
 */
export function useAllowed(dc: string, resource: string, segment: string, access: string): boolean | undefined {
  const [allowed, setAllowed] = useState<boolean | undefined>(undefined);
  useEffect(() => {
    let live = true;
    setAllowed(undefined);
    request<{ Allow: boolean }[]>('POST', url('/v1/internal/acl/authorize', dc), { body: JSON.stringify([{ Resource: resource, Segment: segment, Access: access }]) })
      .then((a) => live && setAllowed(a.body[0]?.Allow), () => undefined);
    return () => void (live = false);
  }, [dc, resource, segment, access]);
  return allowed;
}
