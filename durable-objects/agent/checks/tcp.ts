// One run of a TCP check: a connection opened within the timeout is passing (Consul's CheckTCP).
import { connect } from 'cloudflare:sockets';
import type { HealthStatus } from '../../../worker/consul/common';
import type { CheckRunSpec } from '../../../worker/consul/check';
import { DEFAULT_CHECK_TIMEOUT_MS } from './http';

export function splitHostPort(address: string): { hostname: string; port: number } | undefined {
  const m = /^\[?([^\]]+?)\]?:(\d{1,5})$/.exec(address);
  return m ? { hostname: m[1], port: Number(m[2]) } : undefined;
}

export async function runTcpCheck(run: CheckRunSpec): Promise<{ status: HealthStatus; output: string }> {
  const address = run.TCP ?? '';
  const target = splitHostPort(address);
  if (!target) return { status: 'critical', output: `dial tcp ${address}: missing port in address` };
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('i/o timeout')), run.Timeout || DEFAULT_CHECK_TIMEOUT_MS);
  });
  try {
    const socket = connect(target);
    try {
      await Promise.race([socket.opened, timeout]);
    } finally {
      void socket.close().catch(() => {});
    }
    return { status: 'passing', output: `TCP connect ${address}: Success` };
  } catch (err) {
    return { status: 'critical', output: `dial tcp ${address}: ${(err as Error).message}` };
  } finally {
    clearTimeout(timer);
  }
}
