// The agent's writes, applied to the datacenter's virtual agent node: services with their embedded
// checks, standalone checks and maintenance mode (Consul's agent/agent.go AddService, AddCheck, …).
import { NODE_MAINTENANCE_CHECK_ID, serviceMaintenanceCheckId } from '../../worker/consul/agent';
import type { CheckSpec } from '../../worker/consul/check';
import type { ServiceDefinition } from '../../worker/consul/service';
import type { Tx } from '../engine/indexes';
import { ok, refuse, type Outcome } from '../engine/outcome';
import { checkIdsOfService, deleteCheck, setCheckStatus, upsertCheck } from '../catalog/checks';
import { deleteService, getService, upsertService } from '../catalog/services';

export interface AgentServiceRegisterRequest {
  service: ServiceDefinition;
  checks: CheckSpec[];
  replaceExistingChecks: boolean;
}

/** Check IDs a write added or changed, and those it removed: the monitor reschedules both. */
export interface CheckChanges {
  tracked: string[];
  removed: string[];
}

const unknownService = (id: string) =>
  refuse(404, `Unknown service ID "${id}". Ensure that the service ID is passed, not the service name.`);

export function registerService(tx: Tx, node: string, req: AgentServiceRegisterRequest): CheckChanges {
  const wanted = new Set(req.checks.map((c) => c.CheckID.toLowerCase()));
  const removed = req.replaceExistingChecks
    ? checkIdsOfService(tx.sql, node, req.service.ID).filter((id) => !wanted.has(id.toLowerCase()) && !id.startsWith('_service_maintenance:'))
    : [];
  upsertService(tx, node, req.service);
  for (const id of removed) deleteCheck(tx, node, id);
  for (const check of req.checks) upsertCheck(tx, node, check);
  return { tracked: req.checks.map((c) => c.CheckID), removed };
}

export function deregisterService(tx: Tx, node: string, serviceId: string): Outcome<CheckChanges> {
  const removed = checkIdsOfService(tx.sql, node, serviceId);
  if (!deleteService(tx, node, serviceId)) return unknownService(serviceId);
  return ok({ tracked: [], removed });
}

export function registerCheck(tx: Tx, node: string, spec: CheckSpec): Outcome<CheckChanges> {
  if (spec.ServiceID && !getService(tx.sql, node, spec.ServiceID)) return refuse(404, `ServiceID "${spec.ServiceID}" does not exist`);
  upsertCheck(tx, node, spec);
  return ok({ tracked: [spec.CheckID], removed: [] });
}

export function deregisterCheck(tx: Tx, node: string, checkId: string): Outcome<CheckChanges> {
  if (!deleteCheck(tx, node, checkId)) {
    return refuse(404, `Unknown check ID "${checkId}". Ensure that the check ID is passed, not the check name.`);
  }
  return ok({ tracked: [], removed: [checkId] });
}

function setMaintenance(tx: Tx, node: string, spec: Omit<CheckSpec, 'Type' | 'Run' | 'Status'>, enable: boolean): void {
  if (!enable) {
    deleteCheck(tx, node, spec.CheckID);
    return;
  }
  upsertCheck(tx, node, { ...spec, Type: '', Run: {}, Status: 'critical' });
  setCheckStatus(tx, node, spec.CheckID, 'critical', '');
}

export function serviceMaintenance(tx: Tx, node: string, serviceId: string, enable: boolean, reason: string): Outcome<null> {
  const service = getService(tx.sql, node, serviceId);
  if (!service) return unknownService(serviceId);
  const notes = reason || 'Maintenance mode is enabled for this service, but no reason was provided. This is a default message.';
  setMaintenance(tx, node, { CheckID: serviceMaintenanceCheckId(service.service_id), Name: 'Service Maintenance Mode', Notes: notes, ServiceID: service.service_id }, enable);
  return ok(null);
}

export function nodeMaintenance(tx: Tx, node: string, enable: boolean, reason: string): void {
  const notes = reason || 'Maintenance mode is enabled for this node, but no reason was provided. This is a default message.';
  setMaintenance(tx, node, { CheckID: NODE_MAINTENANCE_CHECK_ID, Name: 'Node Maintenance Mode', Notes: notes, ServiceID: '' }, enable);
}
