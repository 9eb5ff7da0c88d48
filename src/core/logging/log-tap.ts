import { type Logger } from 'pino';

/**
 * A second listener on a logger's output: every serialized line (JSON, as pino writes it) is handed
 * to the attached sink as well. Lines written while nothing is attached are simply not tapped.
 */
export class LogTap {
  private sink?: (line: string) => void;

  attach(sink: (line: string) => void): void {
    this.sink = sink;
  }

  detach(): void {
    this.sink = undefined;
  }

  write(line: string): void {
    this.sink?.(line);
  }
}

const taps = new WeakMap<Logger, LogTap>();

export function registerLogTap(logger: Logger, tap: LogTap): void {
  taps.set(logger, tap);
}

/** The tap of a root logger made by `createLogger` (undefined for any other logger). */
export function logTapOf(logger: Logger): LogTap | undefined {
  return taps.get(logger);
}
