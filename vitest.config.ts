import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cloudflareTest } from '@cloudflare/vitest-pool-workers';
import { defineConfig } from 'vitest/config';

// The UI's static assets (wrangler.toml [assets]) must exist before either project starts a worker.
execFileSync(process.execPath, ['ui/build.mjs'], { stdio: 'inherit' });

const LOCAL_FEDERATION = JSON.parse(readFileSync(new URL('./scripts/local-federation.json', import.meta.url), 'utf8'));

export default defineConfig({
  test: {
    projects: [
      {
        plugins: [
          cloudflareTest({
            main: './worker/index.ts',
            wrangler: { configPath: './wrangler.toml' },
            // Three datacenters in one server; a short remote timeout keeps failover tests quick.
            miniflare: { bindings: { FEDERATION: JSON.stringify({ ...LOCAL_FEDERATION, remoteTimeoutMs: 500 }) } },
          }),
        ],
        test: {
          name: 'workerd',
          include: ['worker/**/*.test.ts', 'durable-objects/**/*.test.ts'],
          // Property tests take ~2 s here and several times that on a loaded 2-core CI runner.
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'node',
          environment: 'node',
          include: ['dns-gateway/**/*.test.ts', 'test/e2e/**/*.test.ts', 'test/clients/**/*.test.ts', 'test/ui/**/*.test.ts'],
          globalSetup: ['test/e2e/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 90_000,
        },
      },
    ],
  },
});
