// Consul's agent config format for services and checks (agent/config/config.go ServiceDefinition and
// CheckDefinition): snake_case keys matched case-insensitively, five CamelCase check aliases, any other key
// an error. Turned into the JSON the agent HTTP API takes (PUT /v1/agent/service/register, check/register).

type Json = unknown;
type Obj = Record<string, Json>;

export class DefinitionError extends Error {}

export interface ServiceRegistration { body: Obj; token?: string }
export interface CheckRegistration { body: Obj; token?: string }
export interface Definitions { services: ServiceRegistration[]; checks: CheckRegistration[] }

const S = 'string', N = 'number', B = 'boolean', L = 'list', M = 'map', D = 'duration';
type Kind = typeof S | typeof N | typeof B | typeof L | typeof M | typeof D;

const SERVICE: Record<string, [string, Kind]> = {
  id: ['ID', S], name: ['Name', S], tags: ['Tags', L], address: ['Address', S], meta: ['Meta', M], port: ['Port', N],
  socket_path: ['SocketPath', S], kind: ['Kind', S], enable_tag_override: ['EnableTagOverride', B],
};
const CHECK: Record<string, [string, Kind]> = {
  id: ['ID', S], name: ['Name', S], notes: ['Notes', S], service_id: ['ServiceID', S], status: ['Status', S], args: ['Args', L],
  http: ['HTTP', S], header: ['Header', M], method: ['Method', S], body: ['Body', S], disable_redirects: ['DisableRedirects', B],
  output_max_size: ['OutputMaxSize', N], tcp: ['TCP', S], tcp_use_tls: ['TCPUseTLS', B], udp: ['UDP', S], grpc: ['GRPC', S],
  grpc_use_tls: ['GRPCUseTLS', B], h2ping: ['H2PING', S], h2ping_use_tls: ['H2PingUseTLS', B], os_service: ['OSService', S],
  interval: ['Interval', D], timeout: ['Timeout', D], ttl: ['TTL', D], tls_server_name: ['TLSServerName', S], tls_skip_verify: ['TLSSkipVerify', B],
  docker_container_id: ['DockerContainerID', S], shell: ['Shell', S], alias_node: ['AliasNode', S], alias_service: ['AliasService', S],
  success_before_passing: ['SuccessBeforePassing', N], failures_before_warning: ['FailuresBeforeWarning', N],
  failures_before_critical: ['FailuresBeforeCritical', N], deregister_critical_service_after: ['DeregisterCriticalServiceAfter', D],
};
/** The only CamelCase names Consul maps (agent/config/config.go, CheckDefinition's aliases). */
const CHECK_ALIASES: Record<string, string> = {
  deregistercriticalserviceafter: 'deregister_critical_service_after', dockercontainerid: 'docker_container_id', scriptargs: 'args',
  serviceid: 'service_id', tlsskipverify: 'tls_skip_verify',
};

const isObj = (v: Json): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const asList = (v: Json): Json[] => (Array.isArray(v) ? v : [v]);

function typed(value: Json, kind: Kind, path: string): Json {
  const bad = (want: string) => new DefinitionError(`${path}: expected ${want}, got ${JSON.stringify(value)}`);
  switch (kind) {
    case S: if (typeof value !== 'string') throw bad('a string'); return value;
    case D: if (typeof value !== 'string' && typeof value !== 'number') throw bad('a duration'); return typeof value === 'number' ? `${value}ns` : value;
    case N: if (typeof value !== 'number' || !Number.isInteger(value)) throw bad('an integer'); return value;
    case B: if (typeof value !== 'boolean') throw bad('a boolean'); return value;
    case L: if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) throw bad('a list of strings'); return value;
    case M: {
      const one = Array.isArray(value) && value.length === 1 ? value[0] : value;
      if (!isObj(one)) throw bad('a map');
      return Object.fromEntries(Object.entries(one).map(([k, v]) => [k, kind === M && path.endsWith('header') ? asList(v) : v]));
    }
  }
}

/** Lower-cased keys; `aliases` rename before lookup; a snake_case key beats its alias. */
function fields(obj: Json, path: string, aliases: Record<string, string> = {}): Map<string, [Json, string]> {
  const one = Array.isArray(obj) && obj.length === 1 ? obj[0] : obj;
  if (!isObj(one)) throw new DefinitionError(`${path}: expected an object`);
  const out = new Map<string, [Json, string]>();
  for (const [k, v] of Object.entries(one)) {
    const lower = k.toLowerCase();
    const name = aliases[lower] ?? lower;
    if (aliases[lower] && out.has(name)) continue;
    out.set(name, [v, k]);
  }
  return out;
}

function check(obj: Json, path: string, embedded: boolean): CheckRegistration {
  const out: Obj = {};
  let token: string | undefined;
  for (const [name, [value, key]] of fields(obj, path, CHECK_ALIASES)) {
    if (name === 'token') { token = typed(value, S, `${path}.${key}`) as string; continue; }
    const field = CHECK[name] ?? (name === 'check_id' ? (['ID', S] as [string, Kind]) : undefined);
    if (!field) throw new DefinitionError(`invalid config key ${path}.${key}`);
    out[field[0] === 'ID' && embedded ? 'CheckID' : field[0]] = typed(value, field[1], `${path}.${key}`);
  }
  if (token) out.Token = token;
  return { body: out, token };
}

function service(obj: Json, path: string): ServiceRegistration {
  const out: Obj = {};
  let token: string | undefined;
  for (const [name, [value, key]] of fields(obj, path)) {
    const at = `${path}.${key}`;
    if (name === 'token') token = typed(value, S, at) as string;
    else if (name === 'check') out.Check = check(value, at, true).body;
    else if (name === 'checks') out.Checks = asList(value).map((c, i) => check(c, `${at}[${i}]`, true).body);
    else if (name === 'weights') {
      const w: Obj = {};
      for (const [n, [v, k]] of fields(value, at)) {
        if (n !== 'passing' && n !== 'warning') throw new DefinitionError(`invalid config key ${at}.${k}`);
        w[n === 'passing' ? 'Passing' : 'Warning'] = typed(v, N, `${at}.${k}`);
      }
      out.Weights = w;
    } else if (name === 'tagged_addresses') {
      const tagged = typed(value, M, at) as Obj;
      out.TaggedAddresses = Object.fromEntries(Object.entries(tagged).map(([tag, a]) => {
        const f = fields(a, `${at}.${tag}`);
        return [tag, { Address: f.get('address')?.[0] ?? '', Port: f.get('port')?.[0] ?? 0 }];
      }));
    } else if (name === 'connect' || name === 'proxy') throw new DefinitionError(`${at}: Connect is not supported by Beacon`);
    else {
      const field = SERVICE[name];
      if (!field) throw new DefinitionError(`invalid config key ${at}`);
      out[field[0]] = typed(value, field[1], at);
    }
  }
  if (!out.Name) throw new DefinitionError(`${path}: missing service name`);
  return { body: out, token };
}

/** Everything a config file defines; keys other than service(s)/check(s) are agent settings Beacon ignores. */
export function definitions(config: Json): Definitions {
  const top = fields(config, '');
  const result: Definitions = { services: [], checks: [] };
  for (const [name, [value, key]] of top) {
    if (name === 'service') asList(value).forEach((s, i, all) => result.services.push(service(s, all.length > 1 ? `${key}[${i}]` : key)));
    if (name === 'services') asList(value).forEach((s, i) => result.services.push(service(s, `${key}[${i}]`)));
    if (name === 'check') asList(value).forEach((c, i, all) => result.checks.push(check(c, all.length > 1 ? `${key}[${i}]` : key, false)));
    if (name === 'checks') asList(value).forEach((c, i) => result.checks.push(check(c, `${key}[${i}]`, false)));
  }
  for (const c of result.checks) if (!c.body.ID) c.body.ID = c.body.Name;
  return result;
}
