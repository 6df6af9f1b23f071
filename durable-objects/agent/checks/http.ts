// One run of an HTTP check, judged as Consul's CheckHTTP does: 2xx passing, 429 warning, else critical.
import type { HealthStatus } from '../../../worker/consul/common';
import type { CheckRunSpec } from '../../../worker/consul/check';
import { truncateOutput } from './output';

export const DEFAULT_CHECK_TIMEOUT_MS = 10_000;

export async function runHttpCheck(run: CheckRunSpec): Promise<{ status: HealthStatus; output: string }> {
  const url = run.HTTP ?? '';
  const method = (run.Method || 'GET').toUpperCase();
  const headers = new Headers({ 'User-Agent': 'Consul Health Check', Accept: 'text/plain, text/*, */*', Connection: 'close' });
  for (const [name, values] of Object.entries(run.Header ?? {})) {
    headers.delete(name);
    for (const v of values) headers.append(name, v);
  }
  try {
    const res = await fetch(url, {
      method,
      headers,
      body: run.Body && method !== 'GET' && method !== 'HEAD' ? run.Body : undefined,
      redirect: run.DisableRedirects ? 'manual' : 'follow',
      signal: AbortSignal.timeout(run.Timeout || DEFAULT_CHECK_TIMEOUT_MS),
    });
    const body = truncateOutput(await res.text(), run.OutputMaxSize);
    const output = `HTTP ${method} ${url}: ${res.status} ${res.statusText} Output: ${body}`;
    const status: HealthStatus = res.status >= 200 && res.status < 300 ? 'passing' : res.status === 429 ? 'warning' : 'critical';
    return { status, output };
  } catch (err) {
    return { status: 'critical', output: `${method} ${url}: ${(err as Error).message}` };
  }
}
