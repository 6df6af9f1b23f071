// A Beacon of its own with ACLs on and default deny (the deployed settings), for a client's token tests:
// the node project's shared Beacon runs with ACLs off. HTTP bootstrap is open, as locally in Consul.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startLocal, type LocalServer } from '../../scripts/start-local';

export interface AclBeacon {
  url: string;
  stop(): Promise<void>;
}

export async function startAclBeacon(): Promise<AclBeacon> {
  const stateDir = await mkdtemp(join(tmpdir(), 'beacon-acl-client-'));
  let server: LocalServer;
  try {
    server = await startLocal({ port: await freePort(), persistTo: stateDir, quiet: !process.env.BEACON_E2E_LOGS, vars: { ACL_ENABLED: 'true', ACL_DEFAULT_POLICY: 'deny' } });
  } catch (err) {
    await rm(stateDir, { recursive: true, force: true });
    throw err;
  }
  return {
    url: server.url,
    async stop() {
      await server.stop();
      await rm(stateDir, { recursive: true, force: true });
    },
  };
}
