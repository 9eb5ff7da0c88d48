/** Media bytes served on a UTC day, by every streamer (INCRBY). */
export function bytesServedKey(now = new Date()): string {
  return `stream:bytes:${now.toISOString().slice(0, 10)}`;
}

/** Hash: streamer instance → `<active streams>:<written at ms>`. */
export const ACTIVE_STREAMS_KEY = 'stream:active';

/** A streamer that has not refreshed its count for this long is gone (crashed): not counted. */
export const ACTIVE_STALE_MS = 15_000;

/** Each streamer writes its figures this often. */
export const USAGE_FLUSH_MS = 2_000;
