// `beacon acl …` as a subprocess against a Beacon of its own with ACLs on (default deny, HTTP bootstrap
// open), compared with Consul's pretty formatter (command/acl/*/formatter.go) and its error texts.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAclBeacon, type AclBeacon } from '../test/clients/acl-beacon';
import { beacon, unique } from './test-support';

let server: AclBeacon;
let secret = '';
const dir = mkdtempSync(join(tmpdir(), 'beacon-cliacl-'));
const run = (...args: string[]) => beacon(server.url, args);
const as = (token: string, ...args: string[]) => beacon(server.url, args, { env: { CONSUL_HTTP_TOKEN: token } });
const field = (out: string, name: string) => new RegExp(`^${name}:\\s+(.*)$`, 'm').exec(out)?.[1];
const GO_TIME = '\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d(\\.\\d*[1-9])? \\+0000 UTC';
const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';

beforeAll(async () => {
  server = await startAclBeacon();
}, 120_000);
afterAll(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('beacon acl', () => {
  it('bootstraps once in Consul\'s token format, and a second bootstrap fails with exit 1', async () => {
    const first = await run('acl', 'bootstrap');
    expect(first).toMatchObject({ code: 0, stderr: '' });
    expect(first.stdout).toMatch(new RegExp([`^AccessorID:       ${UUID}`, `SecretID:         ${UUID}`, 'Description:      Bootstrap Token \\(Global Management\\)',
      'Local:            false', `Create Time:      ${GO_TIME}`, 'Policies:', `   00000000-0000-0000-0000-000000000001 - global-management\n$`].join('\n')));
    secret = field(first.stdout, 'SecretID')!;
    const again = await run('acl', 'bootstrap');
    expect(again.code).toBe(1);
    expect(again.stdout).toBe('');
    expect(again.stderr).toMatch(/^Failed ACL bootstrapping: Unexpected response code: 403 \(Permission denied: ACL bootstrap no longer allowed \(reset index: \d+\)\)\n$/);
  });

  it('creates, lists and reads policies from -rules text and -rules @file', async () => {
    const name = unique('kv-read');
    const rules = 'key_prefix "" { policy = "read" }';
    const created = await run('acl', 'policy', 'create', `-token=${secret}`, '-name', name, '-description', 'read kv', '-rules', rules);
    expect(created).toMatchObject({ code: 0, stderr: '' });
    const id = field(created.stdout, 'ID')!;
    expect(created.stdout).toBe(`ID:           ${id}\nName:         ${name}\nDescription:  read kv\nDatacenters:  \nRules:\n${rules}\n`);
    expect(id).toMatch(new RegExp(`^${UUID}$`));

    const file = join(dir, 'svc.hcl');
    const fileRules = 'service_prefix "" {\n  policy = "write"\n}\n';
    writeFileSync(file, fileRules);
    const fromFile = await as(secret, 'acl', 'policy', 'create', '-name', `${name}-file`, '-rules', `@${file}`);
    expect(fromFile).toMatchObject({ code: 0, stderr: '' });
    expect(fromFile.stdout).toContain(`Rules:\n${fileRules}`);

    const list = await as(secret, 'acl', 'policy', 'list');
    expect(list.code).toBe(0);
    expect(list.stdout).toContain(`${name}:\n   ID:           ${id}\n   Description:  read kv\n   Datacenters:  \n`);
    expect(list.stdout).toMatch(/^global-management:\n   ID:           00000000-0000-0000-0000-000000000001\n   Description:  Builtin Policy that grants unlimited access\n   Datacenters:  \n/);
    expect(await as(secret, 'acl', 'policy', 'read', '-id', id)).toMatchObject({ code: 0, stdout: created.stdout });
    expect(await as(secret, 'acl', 'policy', 'read', '-name', name)).toMatchObject({ code: 0, stdout: created.stdout });
  });

  it('creates, lists, reads and deletes tokens and creates roles linked to a policy', async () => {
    const policy = unique('pol');
    expect((await as(secret, 'acl', 'policy', 'create', '-name', policy, '-rules', 'node_prefix "" { policy = "read" }')).code).toBe(0);
    const policyId = field((await as(secret, 'acl', 'policy', 'read', '-name', policy)).stdout, 'ID')!;

    const created = await as(secret, 'acl', 'token', 'create', '-description', 'cli token', '-policy-name', policy);
    expect(created).toMatchObject({ code: 0, stderr: '' });
    const accessor = field(created.stdout, 'AccessorID')!;
    expect(created.stdout).toMatch(new RegExp([`^AccessorID:       ${UUID}`, `SecretID:         ${UUID}`, 'Description:      cli token', 'Local:            false',
      `Create Time:      ${GO_TIME}`, 'Policies:', `   ${policyId} - ${policy}\n$`].join('\n')));

    const list = await as(secret, 'acl', 'token', 'list');
    expect(list.code).toBe(0);
    expect(list.stdout).toContain(`AccessorID:       ${accessor}\n`);
    expect(list.stdout).toContain('Description:      Bootstrap Token (Global Management)\n');
    expect(await as(secret, 'acl', 'token', 'read', '-id', accessor)).toMatchObject({ code: 0, stdout: created.stdout });

    const role = unique('role');
    const roleOut = await as(secret, 'acl', 'role', 'create', '-name', role, '-policy-name', policy);
    expect(roleOut).toMatchObject({ code: 0, stderr: '' });
    expect(roleOut.stdout).toMatch(new RegExp(`^ID:           ${UUID}\nName:         ${role}\nDescription:  \nPolicies:\n   ${policyId} - ${policy}\n$`));

    const roleId = field(roleOut.stdout, 'ID')!;
    expect(await as(secret, 'acl', 'role', 'list')).toMatchObject({ code: 0, stdout: `${role}:\n   ID:           ${roleId}\n   Description:  \n   Policies:\n      ${policyId} - ${policy}\n\n` });

    expect(await as(secret, 'acl', 'token', 'delete', '-id', accessor)).toMatchObject({ code: 0, stdout: `Token "${accessor}" deleted successfully\n` });
    const gone = await as(secret, 'acl', 'token', 'read', '-id', accessor);
    expect(gone.code).toBe(1);
  });

  it('is denied with a weak token: exit 1, Permission denied on stderr', async () => {
    const weak = await as(secret, 'acl', 'token', 'create', '-description', 'no rights');
    expect(weak.code).toBe(0);
    const weakSecret = field(weak.stdout, 'SecretID')!;
    const denied = await as(weakSecret, 'acl', 'policy', 'list');
    expect(denied).toMatchObject({ code: 1, stdout: '' });
    expect(denied.stderr).toContain('Permission denied');
    const flagged = await run('acl', 'token', 'list', `-token=${weakSecret}`);
    expect(flagged).toMatchObject({ code: 1, stdout: '' });
    expect(flagged.stderr).toContain('Permission denied');
    expect((await run('acl', 'token', 'list')).code).toBe(1);
  });
});
