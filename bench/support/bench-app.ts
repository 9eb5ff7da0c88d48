import { startTestDatabase } from '../../test/support/database.js';
import { type InProcessApp, startInProcessApp } from '../../test/support/in-process-app.js';

/**
 * A fresh FerretDB and the application in this process on it (as the tests start them, `env` on top),
 * handed to `run`; both are stopped afterwards, whatever `run` did.
 */
export async function withBenchApp<T>(
  env: Record<string, string>,
  run: (server: InProcessApp) => Promise<T>,
  options?: Parameters<typeof startInProcessApp>[1],
): Promise<T> {
  const db = await startTestDatabase();
  try {
    const server = await startInProcessApp({ MONGODB_URI: db.uri, ...env }, options);
    try {
      return await run(server);
    } finally {
      await server.close();
    }
  } finally {
    await db.stop();
  }
}
