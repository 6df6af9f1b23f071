// Runs a prepared query across the federation (Consul's PreparedQuery.Execute + queryFailover): the local
// datacenter first; when it has no healthy instance, the failover datacenters in order, each call bounded
// by remoteTimeoutMs so a slow or unreachable datacenter is skipped (and counted) instead of stalling.
import type { PreparedQuery, PreparedQueryExecuteResponse } from '../consul/prepared-query';
import type { Env } from '../env';
import { datacenterStub } from './choose';
import type { Federation } from './config';
import { failoverOrder } from './distance';

export interface Skipped {
  datacenter: string;
  reason: string;
}

export interface Execution {
  response: PreparedQueryExecuteResponse;
  /** The index the answering datacenter read its instances at. */
  index: number;
  /** Datacenters that did not answer in time or failed; counted in Failovers when remote. */
  skipped: Skipped[];
}

class Timeout extends Error {}

/** Settles with `promise`, or rejects once `ms` have passed; the late answer is dropped. */
export async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Timeout(`no answer within ${ms} ms`)), ms);
  });
  promise.catch(() => {});
  try {
    return await Promise.race([promise, expired]);
  } finally {
    clearTimeout(timer);
  }
}

export async function executePreparedQuery(env: Env, federation: Federation, local: string, query: PreparedQuery, limit: number): Promise<Execution> {
  const response: PreparedQueryExecuteResponse = { Service: query.Service.Service, Nodes: [], DNS: query.DNS, Datacenter: local, Failovers: 0 };
  const skipped: Skipped[] = [];
  let index = 1;
  const ask = async (dc: string): Promise<boolean> => {
    try {
      const stub = datacenterStub(env, dc);
      if (!stub) throw new Error('No path to datacenter');
      const answer = await withTimeout(Promise.resolve(stub.preparedQueryExecute(query.Service, limit)), federation.remoteTimeoutMs);
      response.Nodes = answer.value.nodes;
      response.Datacenter = answer.value.datacenter;
      index = answer.index;
      return response.Nodes.length > 0;
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      console.warn(`prepared query ${query.ID}: datacenter ${dc} skipped: ${reason}`);
      skipped.push({ datacenter: dc, reason });
      return false;
    }
  };
  if (await ask(local)) return { response, index, skipped };
  for (const dc of failoverOrder(federation, local, query.Service.Failover)) {
    response.Failovers++;
    if (await ask(dc)) break;
  }
  return { response, index, skipped };
}
