// What each endpoint needs, in one table (Consul's API docs tables, ../shared/consul-api.md §9.8): the
// path's method and pattern, the permissions to hold before the route runs, and how its answer is filtered
// (worker/acl/filters.ts). Endpoints not listed need nothing beyond a resolvable token.
import type { Context } from 'hono';
import type { AppEnv } from '../env';
import type { Need } from './enforce';
import type { FilterKind } from './filters';

export interface NeedContext {
  c: Context<AppEnv>;
  /** The decoded remainder of the path after the pattern's prefix. */
  tail: string;
  agentNode: string;
  /** A top-level field of the JSON body, matched case-insensitively as Go decodes it. */
  field(name: string): Promise<unknown>;
}

export interface Permission {
  methods: string[];
  prefix: string;
  /** Exact path (no tail) rather than a prefix. */
  exact?: boolean;
  needs?: (x: NeedContext) => Need[] | Promise<Need[]>;
  filter?: FilterKind;
}

const NOW = { minIndex: 0, waitMs: 0 };
const str = (v: unknown) => (typeof v === 'string' ? v : '');
const r = (resource: Need['resource'], segment: string, access: 'read' | 'list' | 'write') => ({ resource, segment, access }) as Need;
const g = (resource: 'operator' | 'acl', access: 'read' | 'write') => ({ resource, access }) as Need;

// One row each, by key: these run per request, and every agent instance is on the one agent node.
async function agentServiceName(x: NeedContext, serviceId = x.tail): Promise<string | undefined> {
  return (await x.c.var.dc.agentServiceName(serviceId)) ?? undefined;
}

/** A check's owner: service:write on its service, node:write on the agent node for a node check. */
async function agentCheckNeeds(x: NeedContext, checkId = x.tail): Promise<Need[]> {
  const owner = await x.c.var.dc.agentCheckOwner(checkId);
  if (owner === null) return [];
  return [owner ? r('service', owner, 'write') : r('node', x.agentNode, 'write')];
}

async function sessionNode(x: NeedContext): Promise<string | undefined> {
  return (await x.c.var.dc.sessionGet(x.tail, NOW).catch(() => ({ value: [] as { Node: string }[] }))).value[0]?.Node;
}

const ifKnown = (name: string | undefined, need: (n: string) => Need): Need[] => (name === undefined ? [] : [need(name)]);

export const PERMISSIONS: Permission[] = [
  // agent
  { methods: ['GET'], prefix: '/v1/agent/self', exact: true, needs: (x) => [r('agent', x.agentNode, 'read')] },
  { methods: ['GET'], prefix: '/v1/agent/host', exact: true, needs: () => [g('operator', 'read')] },
  { methods: ['GET'], prefix: '/v1/agent/metrics', exact: true, needs: (x) => [r('agent', x.agentNode, 'read')] },
  { methods: ['GET'], prefix: '/v1/agent/members', exact: true, filter: 'agent-members' },
  { methods: ['GET'], prefix: '/v1/agent/services', exact: true, filter: 'agent-services' },
  { methods: ['GET'], prefix: '/v1/agent/checks', exact: true, filter: 'agent-checks' },
  { methods: ['PUT'], prefix: '/v1/agent/reload', exact: true, needs: (x) => [r('agent', x.agentNode, 'write')] },
  { methods: ['PUT'], prefix: '/v1/agent/leave', exact: true, needs: (x) => [r('agent', x.agentNode, 'write')] },
  { methods: ['PUT'], prefix: '/v1/agent/join/', needs: (x) => [r('agent', x.agentNode, 'write')] },
  { methods: ['PUT'], prefix: '/v1/agent/force-leave/', needs: () => [g('operator', 'write')] },
  { methods: ['PUT'], prefix: '/v1/agent/token/', needs: (x) => [r('agent', x.agentNode, 'write')] },
  { methods: ['PUT'], prefix: '/v1/agent/maintenance', exact: true, needs: (x) => [r('node', x.agentNode, 'write')] },
  { methods: ['PUT'], prefix: '/v1/agent/service/register', exact: true, needs: async (x) => [r('service', str(await x.field('Name')), 'write')] },
  { methods: ['PUT'], prefix: '/v1/agent/service/deregister/', needs: async (x) => ifKnown(await agentServiceName(x), (n) => r('service', n, 'write')) },
  { methods: ['PUT'], prefix: '/v1/agent/service/maintenance/', needs: async (x) => ifKnown(await agentServiceName(x), (n) => r('service', n, 'write')) },
  { methods: ['GET'], prefix: '/v1/agent/service/', needs: async (x) => ifKnown(await agentServiceName(x), (n) => r('service', n, 'read')) },
  { methods: ['GET'], prefix: '/v1/agent/health/service/name/', needs: (x) => [r('service', x.tail, 'read')] },
  {
    methods: ['GET'], prefix: '/v1/agent/health/service/id/',
    needs: async (x) => ifKnown(await agentServiceName(x), (n) => r('service', n, 'read')),
  },
  {
    methods: ['PUT'], prefix: '/v1/agent/check/register', exact: true,
    needs: async (x) => {
      const serviceId = str(await x.field('ServiceID'));
      if (!serviceId) return [r('node', x.agentNode, 'write')];
      return [r('service', (await agentServiceName(x, serviceId)) ?? serviceId, 'write')];
    },
  },
  { methods: ['PUT'], prefix: '/v1/agent/check/deregister/', needs: (x) => agentCheckNeeds(x) },
  { methods: ['PUT'], prefix: '/v1/agent/check/update/', needs: (x) => agentCheckNeeds(x) },
  ...['pass', 'warn', 'fail'].map((verb): Permission => ({ methods: ['PUT'], prefix: `/v1/agent/check/${verb}/`, needs: (x) => agentCheckNeeds(x) })),
  // catalog
  {
    methods: ['PUT'], prefix: '/v1/catalog/register', exact: true,
    needs: async (x) => {
      const service = (await x.field('Service')) as Record<string, unknown> | null | undefined;
      const name = service && typeof service === 'object' ? str(Object.entries(service).find(([k]) => k.toLowerCase() === 'service')?.[1]) : '';
      return [r('node', str(await x.field('Node')), 'write'), ...(name ? [r('service', name, 'write')] : [])];
    },
  },
  { methods: ['PUT'], prefix: '/v1/catalog/deregister', exact: true, needs: async (x) => [r('node', str(await x.field('Node')), 'write')] },
  { methods: ['GET'], prefix: '/v1/catalog/nodes', exact: true, filter: 'nodes' },
  { methods: ['GET'], prefix: '/v1/catalog/services', exact: true, filter: 'service-map' },
  { methods: ['GET'], prefix: '/v1/catalog/service/', filter: 'catalog-services' },
  { methods: ['GET'], prefix: '/v1/catalog/connect/', needs: (x) => [r('service', x.tail, 'read')] },
  { methods: ['GET'], prefix: '/v1/catalog/node/', filter: 'node-services-map' },
  { methods: ['GET'], prefix: '/v1/catalog/node-services/', filter: 'node-services-list' },
  // health
  { methods: ['GET'], prefix: '/v1/internal/ui/services', exact: true, filter: 'ui-services' },
  { methods: ['GET'], prefix: '/v1/internal/ui/nodes', exact: true, filter: 'ui-nodes' },
  { methods: ['GET'], prefix: '/v1/internal/ui/node/', filter: 'ui-node' },
  { methods: ['GET'], prefix: '/v1/internal/ui/service-topology/', needs: (x) => [r('service', x.tail, 'read')] },
  { methods: ['GET'], prefix: '/v1/health/node/', filter: 'checks' },
  { methods: ['GET'], prefix: '/v1/health/checks/', filter: 'checks' },
  { methods: ['GET'], prefix: '/v1/health/state/', filter: 'checks' },
  { methods: ['GET'], prefix: '/v1/health/service/', filter: 'service-entries' },
  { methods: ['GET'], prefix: '/v1/health/connect/', needs: (x) => [r('service', x.tail, 'read')] },
  { methods: ['GET'], prefix: '/v1/health/ingress/', needs: (x) => [r('service', x.tail, 'read')] },
  // KV: one key needs key:read; listings are filtered; a recursive delete needs write on everything beneath
  {
    methods: ['GET'], prefix: '/v1/kv/', filter: 'kv',
    needs: (x) => {
      const q = x.c.req.query();
      if ('recurse' in q || 'keys' in q) return x.c.env.ACL_ENABLE_KEY_LIST_POLICY === 'true' ? [r('key', x.tail, 'list')] : [];
      return [r('key', x.tail, 'read')];
    },
  },
  { methods: ['PUT'], prefix: '/v1/kv/', needs: (x) => [r('key', x.tail, 'write')] },
  {
    methods: ['DELETE'], prefix: '/v1/kv/',
    needs: (x) => ['recurse' in x.c.req.query() ? { resource: 'key-write-prefix', segment: x.tail } : r('key', x.tail, 'write')],
  },
  // snapshots: "management" (Consul's SnapshotAllowed is acl:write), both ways
  { methods: ['GET', 'PUT'], prefix: '/v1/snapshot', exact: true, needs: () => [g('acl', 'write')] },
  // transactions: checked per operation, reads filtered (worker/acl/txn.ts)
  { methods: ['PUT'], prefix: '/v1/txn', exact: true, filter: 'txn' },
  // sessions, labelled by node
  { methods: ['PUT'], prefix: '/v1/session/create', exact: true, needs: async (x) => [r('session', str(await x.field('Node')) || x.agentNode, 'write')] },
  { methods: ['PUT'], prefix: '/v1/session/destroy/', needs: async (x) => ifKnown(await sessionNode(x), (n) => r('session', n, 'write')) },
  { methods: ['PUT'], prefix: '/v1/session/renew/', needs: async (x) => ifKnown(await sessionNode(x), (n) => r('session', n, 'write')) },
  { methods: ['GET'], prefix: '/v1/session/info/', filter: 'sessions' },
  { methods: ['GET'], prefix: '/v1/session/node/', filter: 'sessions' },
  { methods: ['GET'], prefix: '/v1/session/list', exact: true, filter: 'sessions' },
  // events
  { methods: ['PUT'], prefix: '/v1/event/fire/', needs: (x) => [r('event', x.tail, 'write')] },
  { methods: ['GET'], prefix: '/v1/event/list', exact: true, filter: 'events' },
  // prepared queries: writes on the query's name; execute answers what the stored token (else the caller) may read
  { methods: ['POST'], prefix: '/v1/query', exact: true, needs: async (x) => [r('query', str(await x.field('Name')), 'write')] },
  { methods: ['GET'], prefix: '/v1/query', exact: true, filter: 'queries' },
  {
    methods: ['GET'], prefix: '/v1/query/', filter: 'query-execute',
    // explain shows the query itself: query:read on its name (by ID, else the name the path gives).
    needs: async (x) => {
      const named = /^(.+)\/explain$/.exec(x.tail)?.[1];
      if (!named) return [];
      const { value } = await x.c.var.dc.preparedQueryGet(named, NOW);
      return [r('query', value?.Name ?? named, 'read')];
    },
  },
  {
    methods: ['PUT', 'DELETE'], prefix: '/v1/query/',
    needs: async (x) => {
      const { value } = await x.c.var.dc.preparedQueryGet(x.tail, NOW);
      return value ? [r('query', value.Name, 'write')] : [];
    },
  },
  // the internal authorize endpoint answers for any resolvable token
];

/** The table row for a request, if any: exact paths first, then the longest prefix. */
export function permissionFor(method: string, path: string): { permission: Permission; rawTail: string } | undefined {
  // HEAD is answered by the GET handler, so it needs what GET needs (else it would tell what exists).
  if (method === 'HEAD') method = 'GET';
  let best: Permission | undefined;
  for (const p of PERMISSIONS) {
    if (!p.methods.includes(method)) continue;
    if (p.exact ? path === p.prefix || path === `${p.prefix}/` : path.startsWith(p.prefix)) {
      if (!best || (p.exact && !best.exact) || (!!p.exact === !!best.exact && p.prefix.length > best.prefix.length)) best = p;
    }
  }
  return best && { permission: best, rawTail: best.exact ? '' : path.slice(best.prefix.length) };
}
