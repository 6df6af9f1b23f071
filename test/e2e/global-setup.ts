// Starts one local Beacon (wrangler dev, fresh state in a temp dir) for the node test project and
// hands its URL to the tests as inject('beaconUrl'). Stopped by PID when the run ends.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { freePort, startLocal } from '../../scripts/start-local';

declare module 'vitest' {
  export interface ProvidedContext {
    beaconUrl: string;
  }
}

export { freePort };

export default async function setup(project: TestProject) {
  const persistTo = await mkdtemp(join(tmpdir(), 'beacon-e2e-'));
  const server = await startLocal({ port: await freePort(), persistTo, quiet: !process.env.BEACON_E2E_LOGS });
  project.provide('beaconUrl', server.url);
  return async () => {
    await server.stop();
    await rm(persistTo, { recursive: true, force: true });
  };
}
