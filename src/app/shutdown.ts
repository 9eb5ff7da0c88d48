import { type Server } from 'node:http';
import { type INestApplication } from '@nestjs/common';
import { type Logger } from 'pino';

/**
 * SIGTERM/SIGINT: stop accepting connections, close idle keep-alive sockets, let in-flight work and
 * module shutdown hooks finish, and exit 0 — or exit 1 if that takes longer than `timeoutMs`.
 */
export function installShutdown(app: INestApplication, logger: Logger, timeoutMs: number): void {
  let stopping = false;
  const stop = async (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, `received ${signal}, shutting down`);
    const server = app.getHttpServer() as Server;
    // Leave a margin before the deadline to cut the connections that still hold the server open.
    const cut = setTimeout(() => server.closeAllConnections(), Math.max(timeoutMs - 2000, 500));
    const deadline = setTimeout(() => {
      logger.error(`shutdown did not finish within ${timeoutMs} ms; exiting anyway`);
      process.exit(1);
    }, timeoutMs);
    cut.unref();
    deadline.unref();
    try {
      server.closeIdleConnections();
      await app.close();
      logger.info('shutdown complete');
      logger.flush();
      process.exit(0);
    } catch (error) {
      logger.error({ err: error }, 'shutdown failed');
      process.exit(1);
    }
  };
  // `on`, not `once`: a second signal (Ctrl+C reaches both a wrapper and the app) must not kill mid-drain.
  process.on('SIGTERM', (signal) => void stop(signal));
  process.on('SIGINT', (signal) => void stop(signal));
}
