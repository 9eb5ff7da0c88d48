import { formatBytes } from '../../core/util/format-units.js';
import { DownloadFailedError, type TooLargeError } from '../engines/download-engine.js';

/** One of the ceilings a download must stay under, and how to explain it when it is the one hit. */
export interface SizeCeiling {
  bytes: number;
  reason: string;
  /** Whether hitting it is worth a retry (disk frees up; a size limit or quota does not change). */
  retryable?: boolean;
}

/** The tightest of the ceilings (file size limit, daily quota left, worker's free disk). */
export function tightest(ceilings: readonly SizeCeiling[]): SizeCeiling {
  return ceilings.reduce((low, next) => (next.bytes < low.bytes ? next : low));
}

export function fileSizeCeiling(maxFileBytes: number): SizeCeiling {
  return { bytes: maxFileBytes, reason: `the ${formatBytes(maxFileBytes)} file size limit` };
}

export function quotaCeiling(remaining: number): SizeCeiling {
  return { bytes: remaining, reason: `your daily download quota (${formatBytes(remaining)} left today)` };
}

export function diskCeiling(free: number, reserve: number): SizeCeiling {
  return {
    bytes: Math.max(0, free - reserve),
    reason: `this worker's free disk (${formatBytes(free)} free, ${formatBytes(reserve)} kept in reserve)`,
    retryable: true,
  };
}

/** Says which ceiling a too-large download hit. */
export function explainTooLarge(error: TooLargeError, ceiling: SizeCeiling): DownloadFailedError {
  const what =
    error.size === undefined ? 'the download grew past' : `the file is ${formatBytes(error.size)}, over`;
  return new DownloadFailedError(`${what} ${ceiling.reason}`, ceiling.retryable ?? false);
}
