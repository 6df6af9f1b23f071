// Catalog writes (`/v1/catalog/register`, `/deregister`): what Consul's state store does in
// ensureRegistrationTxn and the Deregister RPC, including the checks it refuses.
import type { HealthStatus } from '../../worker/consul/common';
import type { CheckSpec } from '../../worker/consul/check';
import type { ServiceDefinition } from '../../worker/consul/service';
import type { Tx } from '../engine/indexes';
import { ok, refuse, type Outcome } from '../engine/outcome';
import { deleteCheck, setCheckStatus, upsertCheck } from './checks';
import { deleteNode, getNode, upsertNode, type NodeInput } from './nodes';
import { deleteService, getService, upsertService } from './services';

export interface CatalogRegisterRequest {
  node: NodeInput;
  skipNodeUpdate: boolean;
  service?: ServiceDefinition;
  checks: (CheckSpec & { Status: HealthStatus; Output: string })[];
}

export interface CatalogDeregisterRequest {
  Node: string;
  ServiceID?: string;
  CheckID?: string;
}

export function catalogRegister(tx: Tx, req: CatalogRegisterRequest): Outcome<true> {
  const existing = getNode(tx.sql, req.node.Node);
  for (const check of req.checks) {
    const onThisRequest = req.service && check.ServiceID.toLowerCase() === req.service.ID.toLowerCase();
    if (check.ServiceID && !onThisRequest && !getService(tx.sql, req.node.Node, check.ServiceID)) {
      return refuse(500, 'Missing service registration');
    }
  }
  if (!req.skipNodeUpdate || !existing) {
    if (!req.node.Address && !existing) return refuse(500, 'Must provide address if SkipNodeUpdate is not set');
    upsertNode(tx, { ...req.node, ID: req.node.ID || existing?.id || '' });
  }
  if (req.service) upsertService(tx, req.node.Node, req.service);
  for (const check of req.checks) {
    upsertCheck(tx, req.node.Node, check);
    setCheckStatus(tx, req.node.Node, check.CheckID, check.Status, check.Output);
  }
  return ok(true);
}

export function catalogDeregister(tx: Tx, req: CatalogDeregisterRequest): Outcome<true> {
  if (req.ServiceID) deleteService(tx, req.Node, req.ServiceID);
  else if (req.CheckID) deleteCheck(tx, req.Node, req.CheckID);
  else deleteNode(tx, req.Node);
  return ok(true);
}
