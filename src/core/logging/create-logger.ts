import pino, { type Logger } from 'pino';
import { createRequire } from 'node:module';
import { type LogLevel } from '../config/app-config.js';
import { LogTap, registerLogTap } from './log-tap.js';
import { redactForViewers, redactSecrets } from './redact-secrets.js';
import { requestContext } from './request-context.js';

export interface LoggerOptions {
  level: LogLevel;
  role: string;
  /** Human-readable output; defaults to "stdout is a terminal". */
  pretty?: boolean;
  destination?: NodeJS.WritableStream;
}

/**
 * The root pino logger: JSON lines carrying `role` (and `reqId` inside a request); colourised
 * `[role] message` lines when a person is watching the terminal. Each JSON line also goes to the
 * logger's `LogTap` (see `logTapOf`), which the live log broadcast attaches to. App passwords are
 * redacted from every line (`redactSecrets`).
 */
export function createLogger(options: LoggerOptions): Logger {
  const tap = new LogTap();
  const destination = options.destination ?? process.stdout;
  const settings: pino.LoggerOptions = {
    level: options.level,
    base: { role: options.role },
    timestamp: pino.stdTimeFunctions.isoTime,
    mixin: () => ({ ...requestContext.getStore() }),
    hooks: {
      // Every line, whatever logged it (request log, an error quoting a URL), loses its app passwords.
      streamWrite: (raw: string) => {
        const line = redactSecrets(raw);
        tap.write(redactForViewers(line));
        return line;
      },
    },
  };
  const isTerminal = options.pretty ?? (destination as NodeJS.WriteStream).isTTY === true;
  const logger = isTerminal ? prettyLogger(settings, destination, options.role) : pino(settings, destination);
  registerLogTap(logger, tap);
  return logger;
}

/** pino-pretty is for people at a terminal; a process logging JSON never loads it. */
const requireOptional = createRequire(import.meta.url);

function prettyLogger(
  settings: pino.LoggerOptions,
  destination: NodeJS.WritableStream,
  role: string,
): Logger {
  const pretty = requireOptional('pino-pretty') as typeof import('pino-pretty');
  return pino(
    settings,
    pretty({
      destination,
      sync: true,
      ignore: 'pid,hostname,role',
      messageFormat: `[${role}] {if context}{context}: {end}{msg}`,
    }),
  );
}
