// Turns a check definition into a runnable CheckSpec, refusing what Consul refuses
// (structs.CheckType.Validate) and what cannot run at the edge (scripts, Docker, gRPC, UDP, …).
import type { CatalogCheck } from '../consul/catalog';
import { HEALTH_STATUSES, type HealthStatus } from '../consul/common';
import type { CheckDefinition, CheckRunSpec, CheckSpec } from '../consul/check';
import { badRequest } from '../http/errors';

export const MIN_INTERVAL_MS = 1000;
export const DEFAULT_TIMEOUT_MS = 10_000;

const invalid = (reason: string) => badRequest(`Invalid check: ${reason}`);

export function parseStatus(status: string | undefined, message: string): HealthStatus | undefined {
  if (status === undefined || status === '') return undefined;
  if (!(HEALTH_STATUSES as readonly string[]).includes(status)) throw badRequest(message);
  return status as HealthStatus;
}

const isEmptyDefinition = (d: CheckDefinition) =>
  !d.TTL && !d.HTTP && !d.TCP && !d.UDP && !d.GRPC && !d.H2PING && !d.OSService && !(d.Args ?? d.ScriptArgs)?.length &&
  !d.DockerContainerID && !d.AliasNode && !d.AliasService && !d.Interval && !d.Name && !d.CheckID && !d.ID;

/** Checks embedded in a service registration: `Check` first, then `Checks`; empty objects ignored. */
export function embeddedChecks(check: CheckDefinition | undefined, checks: CheckDefinition[] | undefined): CheckDefinition[] {
  return [check, ...(checks ?? [])].filter((c): c is CheckDefinition => !!c && !isEmptyDefinition(c));
}

/** Refuses kinds Beacon cannot run; returns the kind it will run. */
function checkKind(d: CheckDefinition): CheckSpec['Type'] {
  const intervalCheck = !!((d.Args ?? d.ScriptArgs)?.length || d.HTTP || d.TCP || d.UDP || d.GRPC || d.H2PING || d.OSService || d.DockerContainerID);
  if (d.Interval && d.TTL) throw invalid('Interval and TTL cannot both be specified');
  if (intervalCheck && !(d.Interval && d.Interval > 0)) {
    throw invalid('Interval must be > 0 for Script, HTTP, H2PING, TCP, UDP or OSService checks');
  }
  if (d.AliasNode || d.AliasService) throw invalid('alias checks are not supported by Beacon');
  if ((d.Args ?? d.ScriptArgs)?.length || d.DockerContainerID || d.Shell) {
    throw invalid('script and Docker checks cannot run on Beacon (no process execution at the edge); use a TTL, HTTP or TCP check');
  }
  if (d.GRPC) throw invalid('gRPC checks are not supported by Beacon; use an HTTP or TCP check');
  if (d.UDP || d.H2PING || d.OSService) throw invalid('UDP, H2PING and OSService checks are not supported by Beacon');
  if (d.HTTP) {
    if (!/^https?:\/\/[^\s]+$/i.test(d.HTTP)) throw invalid(`HTTP must be an http:// or https:// URL, got "${d.HTTP}"`);
    return 'http';
  }
  if (d.TCP) {
    if (!/^(\[[0-9a-fA-F:.]+\]|[^:\s]+):\d{1,5}$/.test(d.TCP)) throw invalid(`TCP must be host:port, got "${d.TCP}"`);
    return 'tcp';
  }
  if (!(d.TTL && d.TTL > 0)) throw invalid('TTL must be > 0 for TTL checks');
  return 'ttl';
}

export function toCheckSpec(
  d: CheckDefinition,
  ids: { CheckID: string; Name: string; ServiceID: string },
  statusMessage: string,
): CheckSpec {
  const type = checkKind(d);
  const warning = d.FailuresBeforeWarning;
  if (warning !== undefined && d.FailuresBeforeCritical !== undefined && warning > d.FailuresBeforeCritical) {
    throw invalid("FailuresBeforeWarning can't be higher than FailuresBeforeCritical");
  }
  const interval = type === 'ttl' ? undefined : Math.max(d.Interval ?? 0, MIN_INTERVAL_MS);
  const run = {
    TTL: type === 'ttl' ? d.TTL : undefined,
    Interval: interval,
    Timeout: type === 'ttl' ? undefined : d.Timeout && d.Timeout > 0 ? d.Timeout : DEFAULT_TIMEOUT_MS,
    HTTP: d.HTTP,
    Method: d.HTTP ? d.Method || 'GET' : undefined,
    Header: d.Header,
    Body: d.Body,
    DisableRedirects: d.DisableRedirects,
    TLSSkipVerify: d.TLSSkipVerify,
    TLSServerName: d.TLSServerName,
    TCP: d.TCP,
    SuccessBeforePassing: d.SuccessBeforePassing,
    FailuresBeforeWarning: d.FailuresBeforeWarning,
    FailuresBeforeCritical: d.FailuresBeforeCritical,
    DeregisterCriticalServiceAfter: d.DeregisterCriticalServiceAfter,
    OutputMaxSize: d.OutputMaxSize,
  };
  return {
    ...ids,
    Notes: d.Notes ?? '',
    Status: parseStatus(d.Status, statusMessage),
    Type: type,
    Run: Object.fromEntries(Object.entries(run).filter(([, v]) => v !== undefined)),
  };
}

/** A check as `/v1/catalog/register` (and a txn `Check` op) carries it: stored, never run, status as given. */
export function toCatalogCheck(check: CatalogCheck) {
  const d = check.Definition ?? {};
  const run: CheckRunSpec = {
    HTTP: d.HTTP, TCP: d.TCP, Method: d.Method, Header: d.Header, Body: d.Body, TLSSkipVerify: d.TLSSkipVerify,
    Interval: d.Interval ?? d.IntervalDuration, Timeout: d.Timeout ?? d.TimeoutDuration,
    DeregisterCriticalServiceAfter: d.DeregisterCriticalServiceAfter ?? d.DeregisterCriticalServiceAfterDuration,
  };
  const type = (check.Type ?? (d.HTTP ? 'http' : d.TCP ? 'tcp' : '')) as '';
  return {
    CheckID: check.CheckID || check.Name || '',
    Name: check.Name || check.CheckID || '',
    Notes: check.Notes ?? '',
    ServiceID: check.ServiceID ?? '',
    Status: (parseStatus(check.Status, `Invalid check status: '${check.Status}'`) ?? 'critical') as HealthStatus,
    Output: check.Output ?? '',
    Type: type,
    Run: Object.fromEntries(Object.entries(run).filter(([, v]) => v !== undefined)) as CheckRunSpec,
  };
}
