// The plain fast paths' calls, coalesced per object (worker/rpc-batch.ts): KV puts, KV reads and plain
// health/service reads each ride in one RPC with the others of their kind that arrive while one is in flight.
import type { Indexed } from './consul/common';
import type { KvOp } from './consul/kv';
import type { DatacenterStub } from './env';
import type { HealthSelection } from './http/health-selection';
import { RpcBatch } from './rpc-batch';

type Stub = DatacenterStub;
type Put = Awaited<ReturnType<Stub['kvsApplyMany']>>[number];
type Get = Awaited<ReturnType<Stub['kvsGetMany']>>[number];

const puts = new RpcBatch<KvOp, Put>();
const gets = new RpcBatch<string, Get>();
const healthReads = new RpcBatch<[string, HealthSelection], Indexed<string>>();

export const kvPut = (object: string, stub: Stub, op: KvOp) => puts.call(object, op, (ops) => stub.kvsApplyMany(ops));
export const kvGet = (object: string, stub: Stub, key: string) => gets.call(object, key, (keys) => stub.kvsGetMany(keys));
export const healthJson = (object: string, stub: Stub, name: string, selection: HealthSelection) =>
  healthReads.call(object, [name, selection], (reads) => stub.healthServiceNodesJsonMany(reads));

/** RPCs sent and calls they carried, per kind (tests and benchmarks). */
export const batchStats = () => ({ puts: { ...puts.stats }, gets: { ...gets.stats }, healthReads: { ...healthReads.stats } });
