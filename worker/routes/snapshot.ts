// /v1/snapshot: save and restore the datacenter's whole state (Consul's agent/snapshot_endpoint.go) in
// Beacon's own format (durable-objects/snapshot/format.ts, README "Snapshots"). Both need acl:write.
import { Hono } from 'hono';
import { forgetResolved } from '../acl/resolve';
import type { AppEnv } from '../env';
import { bodyTooLarge } from '../http/body';
import { endpoint } from '../http/endpoint';
import { unwrap } from '../http/errors';
import { empty, setIndex } from '../http/meta';
import { MAX_SNAPSHOT_BYTES } from '../../durable-objects/snapshot/format';

export const snapshot = new Hono<AppEnv>();

endpoint(snapshot, '/', {
  GET: async (c) => {
    const { index, file } = unwrap(await c.var.dc.snapshotSave());
    setIndex(c, index);
    // Consul sets no type and Go's sniffing answers this for a gzip stream.
    return c.body(file, 200, { 'Content-Type': 'application/x-gzip' });
  },
  PUT: async (c) => {
    const declared = Number(c.req.header('Content-Length') ?? 0);
    if (declared > MAX_SNAPSHOT_BYTES) throw bodyTooLarge(declared, MAX_SNAPSHOT_BYTES);
    const file = new Uint8Array(await c.req.arrayBuffer());
    if (file.length > MAX_SNAPSHOT_BYTES) throw bodyTooLarge(file.length, MAX_SNAPSHOT_BYTES);
    const index = unwrap(await c.var.dc.snapshotRestore(file));
    // Tokens may have changed wholesale: this isolate forgets what it resolved (others within their TTL).
    forgetResolved();
    setIndex(c, index);
    return empty(c);
  },
});
