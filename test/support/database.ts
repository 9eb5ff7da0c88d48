import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ferretDbBinary } from '../../scripts/lib/ferretdb.mjs';
import { startFerretDb } from '../../scripts/lib/processes.mjs';
import { PROJECT_ROOT } from './paths.js';

export type TestDatabase = Awaited<ReturnType<typeof startTestDatabase>>;

/**
 * A real FerretDB (SQLite backend) on a free port with its own temporary directory. `stop()` ends the
 * process and removes the directory; `kill()` + `restart()` simulate an outage on the same port and data.
 */
export async function startTestDatabase() {
  const binary = process.env.FERRETDB_BIN || ferretDbBinary(PROJECT_ROOT);
  const dir = mkdtempSync(join(tmpdir(), 'sv-ferretdb-'));
  let server = await startFerretDb({ binary, dir });
  const port = server.port;
  return {
    uri: server.uri,
    port,
    async kill() {
      await server.kill();
    },
    async restart() {
      await server.stop();
      server = await startFerretDb({ binary, dir, port });
    },
    async stop() {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
