import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';
import { type LogLevel } from '../config/app-config.js';
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
 * `[role] message` lines when a person is watching the terminal.
 */
export function createLogger(options: LoggerOptions): Logger {
  const destination = options.destination ?? process.stdout;
  const settings: pino.LoggerOptions = {
    level: options.level,
    base: { role: options.role },
    timestamp: pino.stdTimeFunctions.isoTime,
    mixin: () => ({ ...requestContext.getStore() }),
  };
  const isTerminal = options.pretty ?? (destination as NodeJS.WriteStream).isTTY === true;
  if (!isTerminal) return pino(settings, destination);
  return pino(
    settings,
    pretty({
      destination,
      sync: true,
      ignore: 'pid,hostname,role',
      messageFormat: `[${options.role}] {if context}{context}: {end}{msg}`,
    }),
  );
}
