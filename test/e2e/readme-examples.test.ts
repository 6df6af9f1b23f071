// The curl examples in README.md's quick start, run against a started Beacon: if one stops working,
// this fails (CoreDNS's readme_test does the same for its docs).
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { expect, inject, it } from 'vitest';

const run = promisify(execFile);

/** Every `curl …` command in the README's first ```sh block after "## Quick start". */
async function quickStartCurls(): Promise<string[][]> {
  const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8');
  const section = readme.slice(readme.indexOf('## Quick start'));
  const commands = [...section.matchAll(/```sh\n([\s\S]*?)```/g)].flatMap((m) => m[1].replace(/\\\n\s*/g, ' ').split('\n'));
  return commands.filter((c) => c.startsWith('curl ')).map((c) => [...c.matchAll(/'[^']*'|\S+/g)].map((t) => t[0].replace(/^'|'$/g, '')));
}

it('runs the quick-start curl examples and ends with web-1 passing', async () => {
  const host = new URL(inject('beaconUrl')).host;
  const curls = await quickStartCurls();
  expect(curls.length).toBeGreaterThanOrEqual(3);
  let last = '';
  for (const [, ...args] of curls) {
    const { stdout } = await run('curl', ['-sS', '--fail', ...args.map((a) => a.replace('127.0.0.1:8500', host))]);
    last = stdout;
  }
  const entries = JSON.parse(last) as { Service: { ID: string }; Checks: { Status: string }[] }[];
  expect(entries.map((e) => e.Service.ID)).toContain('web-1');
  expect(entries.find((e) => e.Service.ID === 'web-1')!.Checks.every((c) => c.Status === 'passing')).toBe(true);
});
