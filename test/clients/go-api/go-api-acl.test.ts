// The official Go client with tokens (api.Config.Token) against a Beacon of its own with ACLs on and
// default deny: acl_test.go, built only with `-tags acl`, so the ACL-off suite never sees it.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startAclBeacon, type AclBeacon } from '../acl-beacon';
import { expectGoTestPasses } from '../run-client';

let beacon: AclBeacon | undefined;
beforeAll(async () => {
  beacon = await startAclBeacon();
});
afterAll(() => beacon?.stop());

it('bootstraps, links policies to tokens, is denied outside them and filters reads (go test -tags acl)', async () => {
  const output = await expectGoTestPasses(import.meta.url, beacon!.url, 200_000, { args: ['-tags', 'acl', '-run', '^TestACL$'] });
  // The ACL cases really ran: every subtest passed, none skipped.
  expect(output).toMatch(/^--- PASS: TestACL /m);
  expect(output.match(/^ {4}--- PASS: TestACL\//gm)?.length, output).toBe(6);
  expect(output).not.toMatch(/--- SKIP/);
}, 240_000);
