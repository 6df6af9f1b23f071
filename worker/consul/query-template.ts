// Prepared query templates (Consul's agent/consul/prepared_query/template.go): a `name_prefix_match` query
// answers every name it prefixes, and the strings of its Service part are HIL templates rendered with
// that name. Beacon reads the part of HIL templates use: `${name.full}`, `${name.prefix}`,
// `${name.suffix}`, `${match(N)}` (capture group N of Template.Regexp) and `$${` for a literal `${`.
import { compileGoRegexp, goRegexpProblem } from './go-regexp';
import type { PreparedQuery, ServiceQuery } from './prepared-query';

const TEMPLATE_TYPE = 'name_prefix_match';

type Part = { text: string } | { variable: string } | { match: number };

const VARIABLES = new Set(['name.full', 'name.prefix', 'name.suffix']);

/** A string's literal parts and interpolations, or the reason it does not parse as HIL. */
function parse(source: string): Part[] | string {
  const parts: Part[] = [];
  let text = '';
  for (let i = 0; i < source.length; ) {
    if (source.startsWith('$${', i)) {
      text += '${';
      i += 3;
    } else if (source.startsWith('${', i)) {
      const end = source.indexOf('}', i + 2);
      if (end < 0) return 'expected "}" but found end of string';
      const expression = source.slice(i + 2, end).trim();
      const match = /^match\(\s*(\d+)\s*\)$/.exec(expression);
      if (match) parts.push({ text }, { match: Number(match[1]) });
      else if (/^[A-Za-z_][\w.-]*$/.test(expression)) parts.push({ text }, { variable: expression });
      else return `unsupported expression "${expression}"`;
      text = '';
      i = end + 1;
    } else {
      text += source[i++];
    }
  }
  parts.push({ text });
  return parts;
}

/** Every string of the Service part with its Consul path (`.Service`, `.Tags[0]`, `.NodeMeta[rack]`), and a setter. */
function strings(service: ServiceQuery): { path: string; value: string; set: (v: string) => void }[] {
  const found: { path: string; value: string; set: (v: string) => void }[] = [];
  found.push({ path: '.Service', value: service.Service, set: (v) => (service.Service = v) });
  found.push({ path: '.Near', value: service.Near, set: (v) => (service.Near = v) });
  const list = (name: string, items: string[] | null) =>
    items?.forEach((value, i) => found.push({ path: `${name}[${i}]`, value, set: (v) => (items[i] = v) }));
  list('.Failover.Datacenters', service.Failover.Datacenters);
  list('.IgnoreCheckIDs', service.IgnoreCheckIDs);
  list('.Tags', service.Tags);
  for (const [name, map] of [['.NodeMeta', service.NodeMeta], ['.ServiceMeta', service.ServiceMeta]] as const) {
    for (const [key, value] of Object.entries(map ?? {})) found.push({ path: `${name}[${key}]`, value, set: (v) => (map![key] = v) });
  }
  return found;
}


/** Why Consul would refuse this template (its Compile, test render included), or undefined. */
export function templateProblem(query: PreparedQuery): string | undefined {
  if (query.Template.Type !== TEMPLATE_TYPE) return `Bad Template.Type '${query.Template.Type}'`;
  for (const { path, value } of strings(query.Service)) {
    const parts = parse(value);
    if (typeof parts === 'string') return `Bad format '${value}' in Service${path}: ${parts}`;
    const unknown = parts.find((p) => 'variable' in p && !VARIABLES.has(p.variable));
    if (unknown) return `Bad evaluation for '${value}' in Service${path}: unknown variable accessed: ${(unknown as { variable: string }).variable}`;
  }
  if (query.Template.Regexp) {
    const problem = goRegexpProblem(query.Template.Regexp);
    if (problem) return `Bad Regexp: ${problem}`;
  }
  return undefined;
}

/** The query as it answers `name`: every Service string rendered, empty tags dropped when asked. */
export function renderTemplate(query: PreparedQuery, name: string): PreparedQuery {
  const rendered = structuredClone(query);
  const matches = query.Template.Regexp ? compileGoRegexp(query.Template.Regexp).exec(name) : null;
  const values: Record<string, string> = {
    'name.full': name,
    'name.prefix': query.Name,
    'name.suffix': name.toLowerCase().startsWith(query.Name.toLowerCase()) ? name.slice(query.Name.length) : name,
  };
  for (const field of strings(rendered.Service)) {
    const parts = parse(field.value) as Part[];
    field.set(parts.map((p) => ('text' in p ? p.text : 'variable' in p ? values[p.variable] : (matches?.[p.match] ?? ''))).join(''));
  }
  if (query.Template.RemoveEmptyTags && rendered.Service.Tags) rendered.Service.Tags = rendered.Service.Tags.filter((t) => t !== '');
  return rendered;
}
