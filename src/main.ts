import 'reflect-metadata';
import { createApp } from './app/create-app.js';
import { describeRoles } from './app/roles.js';
import { installShutdown } from './app/shutdown.js';
import { ConfigError } from './core/config/config-error.js';
import { loadConfig } from './core/config/load-config.js';
import { createLogger } from './core/logging/create-logger.js';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`streamvault: invalid configuration: ${error.message}\n`);
    process.exit(1);
  }
  const logger = createLogger({ level: config.logLevel, role: describeRoles(config.roles) });
  try {
    const app = await createApp(config, logger);
    installShutdown(app, logger, config.shutdownTimeoutMs);
    await app.listen(config.http.port, config.http.host);
    logger.info(`StreamVault (${describeRoles(config.roles)}) listening on ${config.http.publicUrl}`);
  } catch (error) {
    // One readable line; the stack goes to the debug level for whoever needs it.
    const message = error instanceof Error ? error.message : String(error);
    logger.debug({ err: error }, 'boot failure details');
    logger.fatal(`failed to start: ${message}`);
    logger.flush();
    process.exit(1);
  }
}

void main();
