// Watch-party sync maths, pure (no DOM, no clock of its own): the party page uses it in the browser,
// the unit tests in Node.

/** Drift above this (seconds) is corrected by seeking; below it by nudging the playback rate. */
export const SEEK_THRESHOLD = 0.5;
/** Drift below this (seconds) is left alone: rate changes are audible, and timers jitter. */
export const DEAD_BAND = 0.04;
/** A nudge changes the rate by at most this fraction (±10 %: barely audible, 0.1 s caught up a second). */
export const MAX_NUDGE = 0.1;
/** How many recent ping samples the clock estimate keeps. */
export const CLOCK_SAMPLES = 8;

/**
 * Server clock offset and round-trip time from ping samples `{sent, received, server}` (client ms,
 * client ms, server ms). The sample with the shortest round trip wins: its midpoint is the tightest
 * bound on when the server read its clock. `offset` is what to add to the client clock.
 */
export function estimateClock(samples) {
  let best;
  for (const sample of samples.slice(-CLOCK_SAMPLES)) {
    const rtt = sample.received - sample.sent;
    if (rtt < 0) continue;
    if (!best || rtt < best.rtt) best = { rtt, offset: sample.server - (sample.sent + sample.received) / 2 };
  }
  return best ?? { rtt: 0, offset: 0 };
}

/**
 * Where the room's playback is at server time `serverNow` (ms): the stamped position, moved on by the
 * time since the stamp when playing. Never negative.
 */
export function expectedPosition(state, serverNow) {
  const elapsed = state.playing ? Math.max(0, serverNow - state.at) / 1000 : 0;
  return Math.max(0, state.position + elapsed * state.rate);
}

/**
 * What to do about `drift` = local position − expected position (seconds), at the room's rate:
 * `{seek}` over the threshold, a nudged `{rate}` (slower when ahead, faster when behind) under it, the
 * room's own rate inside the dead band.
 */
export function correction(localPosition, expected, roomRate) {
  const drift = localPosition - expected;
  if (Math.abs(drift) > SEEK_THRESHOLD) return { drift, seek: expected, rate: roomRate };
  if (Math.abs(drift) <= DEAD_BAND) return { drift, rate: roomRate };
  // Catch up the drift in about two seconds, within the nudge limit.
  const nudge = Math.min(MAX_NUDGE, Math.max(-MAX_NUDGE, drift / 2));
  return { drift, rate: roomRate * (1 - nudge) };
}
