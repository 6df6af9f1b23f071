// `beacon members|info|reload|catalog|services|maint|event` as subprocesses against the shared local Beacon.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { beacon, unique } from './test-support';

const url = inject('beaconUrl');
const run = (...args: string[]) => beacon(url, args);

describe('beacon agent and catalog commands', () => {
  it('lists members in Consul\'s columns, -wan per datacenter, exit 2 when -status matches none', async () => {
    const { code, stdout } = await run('members');
    expect(code).toBe(0);
    const [header, row] = stdout.trimEnd().split('\n');
    expect(header.split(/\s+/)).toEqual(['Node', 'Address', 'Status', 'Type', 'Build', 'Protocol', 'DC', 'Partition', 'Segment']);
    expect(row.split(/\s+/)).toEqual([expect.any(String), '127.0.0.1:8301', 'alive', 'server', expect.stringMatching(/^\d+\.\d+\.\d+$/), '2', 'dc1', 'default', '<all>']);
    expect(header.indexOf('Address')).toBe(row.indexOf('127.0.0.1'));
    const wan = await run('members', '-wan', '-http-addr', url);
    expect(wan.stdout.trimEnd().split('\n').slice(1).map((l) => l.split(/\s+/)[6])).toEqual(['dc1', 'dc2', 'dc3']);
    expect(await run('members', '-status=failed')).toMatchObject({ code: 2, stdout: '' });
  });

  it('prints info sections sorted with tab-indented stats, and triggers a reload', async () => {
    const info = await run('info');
    expect(info.stdout).toMatch(/^agent:\nbuild:\n\tprerelease = \n\trevision = beacon\n\tversion = \d/);
    expect(await run('reload')).toMatchObject({ code: 0, stdout: 'Configuration reload triggered\n' });
  });

  it('registers a service file and flags, lists it in catalog services and nodes -service, deregisters', async () => {
    const name = unique('svc');
    const dir = await mkdtemp(join(tmpdir(), 'beacon-cli-'));
    const file = join(dir, 'svc.hcl');
    await writeFile(file, `service {\n  name = "${name}"\n  id = "${name}-1"\n  port = 7000\n  tags = ["b", "a"]\n}\n`);
    expect(await run('services', 'register', file)).toMatchObject({ code: 0, stdout: `Registered service: ${name}\n` });
    expect(await run('services', 'register', `-name=${name}`, `-id=${name}-2`, '-port=7001', '-tag=c')).toMatchObject({ code: 0, stdout: `Registered service: ${name}\n` });
    expect((await run('catalog', 'services', '-tags')).stdout).toMatch(new RegExp(`^${name} +a,b,c$`, 'm'));
    const nodes = await run('catalog', 'nodes', `-service=${name}`);
    expect(nodes.stdout).toMatch(/^Node +ID +Address +DC\n\S+ +[0-9a-f]{8} +127\.0\.0\.1 +dc1\n\S+ +[0-9a-f]{8} +127\.0\.0\.1 +dc1\n$/);
    expect(await run('catalog', 'nodes', `-service=${unique('none')}`)).toMatchObject({ code: 0, stdout: '', stderr: 'No nodes match the given query - try expanding your search.\n' });
    expect(await run('services', 'deregister', file)).toMatchObject({ code: 0, stdout: `Deregistered service: ${name}-1\n` });
    expect(await run('services', 'deregister', `-id=${name}-2`)).toMatchObject({ code: 0, stdout: `Deregistered service: ${name}-2\n` });
    expect((await run('catalog', 'services')).stdout).not.toContain(name);
    const bad = join(dir, 'bad.json');
    await writeFile(bad, '{"service": {"name": "x", "Bogus": 1}}');
    expect(await run('services', 'register', bad)).toMatchObject({ code: 1, stderr: `Error loading ${bad}: invalid config key service.Bogus\n` });
  });

  it('enables, lists and disables maintenance for a service', async () => {
    const id = unique('maint');
    await fetch(`${url}/v1/agent/service/register`, { method: 'PUT', body: JSON.stringify({ Name: id }) });
    expect(await run('maint', '-enable', `-service=${id}`, '-reason=upgrade')).toMatchObject({ code: 0, stdout: `Service maintenance is now enabled for "${id}"\n` });
    expect((await run('maint')).stdout).toContain(`Service:\n  ID:     ${id}\n  Reason: upgrade\n`);
    expect(await run('maint', '-disable', `-service=${id}`)).toMatchObject({ code: 0, stdout: `Service maintenance is now disabled for "${id}"\n` });
    expect(await run('maint', '-enable', '-disable')).toMatchObject({ code: 1, stderr: 'Only one of -enable or -disable may be provided\n' });
    await fetch(`${url}/v1/agent/service/deregister/${id}`, { method: 'PUT' });
  });

  it('fires an event and reports its ID', async () => {
    const fired = await run('event', `-name=${unique('deploy')}`, 'payload');
    expect(fired).toMatchObject({ code: 0, stdout: expect.stringMatching(/^Event ID: [0-9a-f-]{36}\n$/) });
    expect(await run('event')).toMatchObject({ code: 1, stderr: 'Event name must be specified\n' });
  });

  it('honours CONSUL_HTTP_ADDR and -http-addr, reporting an unreachable agent on stderr with exit 1', async () => {
    const res = await beacon('127.0.0.1:1', ['catalog', 'datacenters']);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/^Error listing datacenters: GET http:\/\/127\.0\.0\.1:1\/v1\/catalog\/datacenters: /);
    expect(await beacon('127.0.0.1:1', ['catalog', 'datacenters', '-http-addr', url])).toMatchObject({ code: 0, stdout: 'dc1\ndc2\ndc3\n' });
  });
});
