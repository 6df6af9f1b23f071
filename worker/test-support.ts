// Helpers for route tests: requests through the real worker (SELF) and unique names per test.
import { SELF } from 'cloudflare:test';

export const api = (path: string, init?: RequestInit) => SELF.fetch(`http://beacon.test${path}`, init);

export const put = (path: string, body?: unknown, headers: Record<string, string> = {}) =>
  api(path, { method: 'PUT', headers, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body) });

export const getJson = async <T = unknown>(path: string): Promise<{ status: number; index: number; body: T }> => {
  const res = await api(path);
  return { status: res.status, index: Number(res.headers.get('X-Consul-Index')), body: (await res.json()) as T };
};

export const uniq = (prefix: string) => `${prefix}-${crypto.randomUUID().slice(0, 8)}`;

/** Registers a service on the agent; fails the test if Beacon refuses. */
export async function registerService(body: Record<string, unknown>): Promise<void> {
  const res = await put('/v1/agent/service/register', body);
  if (res.status !== 200) throw new Error(`register failed: ${res.status} ${await res.text()}`);
}
