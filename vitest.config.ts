import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cloudflareTest } from '@cloudflare/vitest-pool-workers';
import { defineConfig } from 'vitest/config';
import { ACL_TEST_MANAGEMENT_TOKEN } from './worker/acl/test-token';

// The UI's static assets (wrangler.toml [assets]) must exist before either project starts a worker.
execFileSync(process.execPath, ['ui/build.mjs'], { stdio: 'inherit' });

const LOCAL_FEDERATION = JSON.parse(readFileSync(new URL('./scripts/local-federation.json', import.meta.url), 'utf8'));

const FEDERATION = JSON.stringify({ ...LOCAL_FEDERATION, remoteTimeoutMs: 500 });
const ACL_TESTS = ['worker/**/*.acl.test.ts'];

export default defineConfig({
  test: {
    projects: [
      {
        plugins: [
          cloudflareTest({
            main: './worker/index.ts',
            wrangler: { configPath: './wrangler.toml' },
            // Three datacenters in one server; a short remote timeout keeps failover tests quick. wrangler.toml
            // ships ACLs on; this project runs with them off, as `npm start` does.
            miniflare: { bindings: { FEDERATION, ACL_ENABLED: 'false' } },
          }),
        ],
        test: {
          name: 'workerd',
          include: ['worker/**/*.test.ts', 'durable-objects/**/*.test.ts'],
          exclude: ACL_TESTS,
          // A real HTTP/TCP server the HTTP and TCP check tests probe (inject('checkTarget')).
          globalSetup: ['test/lib/check-target/global-setup.ts'],
          // Property tests take ~2 s here and several times that on a loaded 2-core CI runner.
          testTimeout: 30_000,
        },
      },
      {
        plugins: [
          cloudflareTest({
            main: './worker/index.ts',
            wrangler: { configPath: './wrangler.toml' },
            // The shipped ACL settings (on, default deny) with a known initial management token and HTTP bootstrap.
            miniflare: {
              bindings: { FEDERATION, ACL_ENABLED: 'true', ACL_DEFAULT_POLICY: 'deny', ACL_INITIAL_MANAGEMENT_TOKEN: ACL_TEST_MANAGEMENT_TOKEN, ACL_HTTP_BOOTSTRAP: 'true' },
            },
          }),
        ],
        test: { name: 'workerd-acl', include: ACL_TESTS, testTimeout: 30_000 },
      },
      {
        test: {
          name: 'node',
          environment: 'node',
          include: ['dns-gateway/**/*.test.ts', 'scripts/**/*.test.ts', 'test/lib/**/*.test.ts', 'test/e2e/**/*.test.ts', 'test/clients/**/*.test.ts', 'cli/**/*.test.ts', 'test/ui/**/*.test.ts'],
          globalSetup: ['test/e2e/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 90_000,
        },
      },
    ],
  },
});
