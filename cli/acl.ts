// `beacon acl bootstrap|token|policy|role …` (command/acl/*), written against Consul's /v1/acl/* API and
// its pretty formatter (command/acl/*/formatter.go); `-format=json` prints the API's JSON.
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { CliError, withHttpFlags, type Client } from './http';
import { action, collect, io } from './run';

type Obj = Record<string, any>;
const links = (list: Obj[] | undefined) => (list ?? []).map((l) => `   ${l.ID} - ${l.Name}`);

/** A JSON time as Go's `%v` prints a decoded UTC time.Time: `2026-12-01 23:32:38.67 +0000 UTC`. */
export function goTime(iso: unknown): string {
  const m = typeof iso === 'string' ? /^(\d{4}-\d\d-\d\d)T(\d\d:\d\d:\d\d)(\.\d+)?Z$/.exec(iso) : null;
  if (!m) return String(iso ?? '');
  const frac = (m[3] ?? '').replace(/0+$/, '');
  return `${m[1]} ${m[2]}${frac === '.' ? '' : frac} +0000 UTC`;
}

export function formatToken(t: Obj): string {
  const lines = [`AccessorID:       ${t.AccessorID}`, `SecretID:         ${t.SecretID}`, `Description:      ${t.Description ?? ''}`,
    `Local:            ${Boolean(t.Local)}`, `Create Time:      ${goTime(t.CreateTime)}`];
  if (t.ExpirationTime) lines.push(`Expiration Time:  ${goTime(t.ExpirationTime)}`);
  if (t.Policies?.length) lines.push('Policies:', ...links(t.Policies));
  if (t.Roles?.length) lines.push('Roles:', ...links(t.Roles));
  return lines.join('\n');
}

export function formatPolicy(p: Obj): string {
  return [`ID:           ${p.ID}`, `Name:         ${p.Name}`, `Description:  ${p.Description ?? ''}`, `Datacenters:  ${(p.Datacenters ?? []).join(', ')}`,
    ...(p.Rules !== undefined ? ['Rules:', p.Rules] : [])].join('\n');
}

export function formatRole(r: Obj): string {
  return [`ID:           ${r.ID}`, `Name:         ${r.Name}`, `Description:  ${r.Description ?? ''}`, ...(r.Policies?.length ? ['Policies:', ...links(r.Policies)] : [])].join('\n');
}

/** `acl policy list`: `<name>:` then indented fields, entries back to back (formatPolicyListEntry). */
export const formatPolicyList = (list: Obj[]) => list.map((p) => `${p.Name}:\n   ID:           ${p.ID}\n   Description:  ${p.Description ?? ''}\n`
  + `   Datacenters:  ${(p.Datacenters ?? []).join(', ')}\n`).join('');

/** `acl role list`: `<name>:` then indented fields and `      <id> - <name>` links (formatRoleListEntry). */
export const formatRoleList = (list: Obj[]) => list.map((r) => `${r.Name}:\n   ID:           ${r.ID}\n   Description:  ${r.Description ?? ''}\n`
  + (r.Policies?.length ? `   Policies:\n${r.Policies.map((l: Obj) => `      ${l.ID} - ${l.Name}\n`).join('')}` : '')).join('');

const print = (opts: Obj, value: Obj | Obj[], pretty: (o: Obj) => string, prettyList?: (l: Obj[]) => string) =>
  io.out(opts.format === 'json' ? JSON.stringify(value, null, 4) : Array.isArray(value) ? (prettyList ? prettyList(value) : value.map(pretty).join('\n\n')) : pretty(value));

function leaf(name: string, description: string): Command {
  return withHttpFlags(new Command(name).description(description)).option('--format <pretty|json>', 'Output format', 'pretty');
}

const links_ = (names: string[] = [], ids: string[] = []) => [...names.map((Name) => ({ Name })), ...ids.map((ID) => ({ ID }))];
const fileOrText = (v?: string) => (v?.startsWith('@') ? readFileSync(v.slice(1), 'utf8') : v);
const need = (v: string | undefined, msg: string) => {
  if (!v) throw new CliError(msg);
  return v;
};

/** create/list/read/update/delete for one ACL object kind over /v1/acl/<kind>. */
function crud(kind: 'token' | 'policy' | 'role', pretty: (o: Obj) => string, body: (opts: Obj) => Obj, idField: string, prettyList?: (l: Obj[]) => string): Command {
  const group = new Command(kind).description(`Manage Consul's ACL ${kind === 'policy' ? 'policies' : `${kind}s`}`);
  const plural = kind === 'policy' ? 'policies' : `${kind}s`;
  const fields = (c: Command) => c.option('--description <text>', 'A description').option('--name <name>', 'The name').option('--rules <hcl|@file>', 'Policy rules')
    .option('--policy-name <name>', 'Name of a policy to link (repeatable)', collect).option('--policy-id <id>', 'ID of a policy to link (repeatable)', collect)
    .option('--role-name <name>', 'Name of a role to link (repeatable)', collect).option('--local', 'Create a local token')
    .option('--secret <id>', 'The SecretID to use').option('--accessor <id>', 'The AccessorID to use').option('--valid-datacenter <dc>', 'Datacenter the policy is valid in (repeatable)', collect);
  group.addCommand(fields(leaf('create', `Create an ACL ${kind}`)).action(action('', async (client, opts) => {
    const { value } = await client.json<Obj>('PUT', `/v1/acl/${kind}`, { body: body(opts) }).catch(fail(`Failed to create new ${kind}`));
    print(opts, value, pretty);
  })));
  group.addCommand(fields(leaf('update', `Update an ACL ${kind}`)).option('--id <id>', 'The ID to update').action(action('', async (client, opts) => {
    const id = need(opts.id, `Cannot update a ${kind} without specifying the -id parameter`);
    const { value } = await client.json<Obj>('PUT', `/v1/acl/${kind}/${id}`, { body: { ...body(opts), [idField]: id } }).catch(fail(`Failed to update ${kind} ${id}`));
    print(opts, value, pretty);
  })));
  group.addCommand(leaf('list', `List ACL ${plural}`).action(action('', async (client, opts) => {
    const { value } = await client.json<Obj[]>('GET', `/v1/acl/${plural}`).catch(fail(`Failed to retrieve the ${kind} list`));
    print(opts, value, pretty, prettyList);
  })));
  group.addCommand(leaf('read', `Read an ACL ${kind}`).option('--id <id>', 'The ID to read').option('--name <name>', 'The name to read').option('--self', 'Read the token the request carries')
    .action(action('', async (client, opts) => {
      const path = opts.self ? '/v1/acl/token/self' : opts.id ? `/v1/acl/${kind}/${opts.id}` : opts.name ? `/v1/acl/${kind}/name/${encodeURIComponent(opts.name)}` : need(undefined, `Must specify the -id parameter`);
      const { value } = await client.json<Obj>('GET', path).catch(fail(`Error reading ${kind}`));
      print(opts, value, pretty);
    })));
  group.addCommand(withHttpFlags(new Command('delete').description(`Delete an ACL ${kind}`)).option('--id <id>', 'The ID to delete').action(action('', async (client: Client, opts) => {
    const id = need(opts.id, 'Must specify the -id parameter');
    await client.request('DELETE', `/v1/acl/${kind}/${id}`).catch(fail(`Error deleting ${kind} "${id}"`));
    io.out(`${kind[0].toUpperCase()}${kind.slice(1)} "${id}" deleted successfully`);
  })));
  return group;
}

const fail = (prefix: string) => (err: Error): never => {
  throw new CliError(`${prefix}: ${err.message}`);
};

export function aclCommand(): Command {
  const bootstrap = leaf('bootstrap', 'Bootstrap Consul\'s ACL system').action(action('', async (client, opts) => {
    const { value } = await client.json<Obj>('PUT', '/v1/acl/bootstrap').catch(fail('Failed ACL bootstrapping'));
    print(opts, value, formatToken);
  }));
  return new Command('acl').description('Interact with Consul\'s ACLs').addCommand(bootstrap)
    .addCommand(crud('token', formatToken, (o) => ({
      Description: o.description ?? '', Local: Boolean(o.local), SecretID: o.secret, AccessorID: o.accessor,
      Policies: links_(o.policyName, o.policyId), Roles: links_(o.roleName),
    }), 'AccessorID'))
    .addCommand(crud('policy', formatPolicy, (o) => ({ Name: need(o.name, 'Missing require \'-name\' flag'), Description: o.description ?? '', Rules: fileOrText(o.rules) ?? '', Datacenters: o.validDatacenter }), 'ID', formatPolicyList))
    .addCommand(crud('role', formatRole, (o) => ({ Name: need(o.name, 'Missing required \'-name\' flag'), Description: o.description ?? '', Policies: links_(o.policyName, o.policyId) }), 'ID', formatRoleList));
}
