// The HTTP API as the UI uses it: every request scoped to the chosen datacenter, carrying the token
// from session storage, and answering errors as values (status + Consul's plain-text reason).
const TOKEN_KEY = 'beacon:token';

export const token = {
  get: () => sessionStorage.getItem(TOKEN_KEY) ?? '',
  set: (value: string) => (value ? sessionStorage.setItem(TOKEN_KEY, value) : sessionStorage.removeItem(TOKEN_KEY)),
};

export class ApiError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

export interface Answer<T> {
  body: T;
  index: number;
}

export function url(path: string, dc: string, query: Record<string, string | number | undefined> = {}): string {
  const params = new URLSearchParams();
  if (dc) params.set('dc', dc);
  for (const [k, v] of Object.entries(query)) if (v !== undefined) params.set(k, String(v));
  const qs = params.toString().replace(/=(?=&|$)/g, '');
  return `${path}${qs ? (path.includes('?') ? '&' : '?') + qs : ''}`;
}

export async function request<T>(method: string, path: string, init: { body?: string; signal?: AbortSignal } = {}): Promise<Answer<T>> {
  const headers: Record<string, string> = {};
  const t = token.get();
  if (t) headers['X-Consul-Token'] = t;
  const res = await fetch(path, { method, headers, body: init.body, signal: init.signal });
  const text = await res.text();
  if (!res.ok) throw new ApiError(res.status, text || res.statusText);
  let body: unknown = text;
  if ((res.headers.get('Content-Type') ?? '').includes('json') && text) body = JSON.parse(text);
  return { body: body as T, index: Number(res.headers.get('X-Consul-Index') ?? 0) };
}

export const get = <T>(path: string, signal?: AbortSignal) => request<T>('GET', path, { signal });
export const put = <T>(path: string, body?: string) => request<T>('PUT', path, { body });
export const del = <T>(path: string) => request<T>('DELETE', path);

export const b64decode = (value: string | null) => {
  if (!value) return '';
  const bytes = Uint8Array.from(atob(value), (ch) => ch.charCodeAt(0));
  return new TextDecoder().decode(bytes);
};
