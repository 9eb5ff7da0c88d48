/** Playback as the room's host set it, stamped with the server clock (`at`, ms) when it changed. */
export interface PlaybackState {
  playing: boolean;
  /** Seconds into the file at `at`. */
  position: number;
  rate: number;
  at: number;
  /** Goes up by one with every change, so a client can drop a stale one. */
  revision: number;
}

export type ControlAction = 'play' | 'pause' | 'seek' | 'rate';
export const CONTROL_ACTIONS: readonly ControlAction[] = ['play', 'pause', 'seek', 'rate'];

export interface ControlRequest {
  action: ControlAction;
  position?: number;
  rate?: number;
}

/** The rates the player offers; anything else is refused rather than clamped. */
export const MIN_RATE = 0.25;
export const MAX_RATE = 4;
/** Longest chat message, in characters. */
export const CHAT_MAX_CHARS = 500;
/** One chat message a second per participant. */
export const CHAT_INTERVAL_MS = 1000;
/** Display names are cut to this many characters. */
export const NAME_MAX_CHARS = 40;

export const INITIAL_STATE: PlaybackState = { playing: false, position: 0, rate: 1, at: 0, revision: 0 };

export class PartyRuleError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Where `state` is at server time `now`: a playing room moves on at its rate. */
export function positionAt(state: PlaybackState, now: number): number {
  const elapsed = state.playing ? Math.max(0, now - state.at) / 1000 : 0;
  return Math.max(0, state.position + elapsed * state.rate);
}

/** Only the host controls, unless the host let everyone. */
export function mayControl(memberId: string, hostId: string, everyoneControls: boolean): boolean {
  return everyoneControls || memberId === hostId;
}

/**
 * The state after `request` at server time `now`. Play, pause and seek take the sender's position (a
 * number ≥ 0); rate keeps the position the room has reached. Invalid input is a `PartyRuleError`.
 */
export function applyControl(state: PlaybackState, request: ControlRequest, now: number): PlaybackState {
  if (!CONTROL_ACTIONS.includes(request.action)) {
    throw new PartyRuleError('bad_request', `"action" must be one of ${CONTROL_ACTIONS.join(', ')}.`);
  }
  const next = { ...state, at: now, revision: state.revision + 1 };
  if (request.action === 'rate') {
    const rate = request.rate;
    if (typeof rate !== 'number' || !Number.isFinite(rate) || rate < MIN_RATE || rate > MAX_RATE) {
      throw new PartyRuleError('bad_request', `"rate" must be a number from ${MIN_RATE} to ${MAX_RATE}.`);
    }
    return { ...next, position: positionAt(state, now), rate };
  }
  const position = request.position;
  if (typeof position !== 'number' || !Number.isFinite(position) || position < 0 || position > 1e7) {
    throw new PartyRuleError('bad_request', '"position" must be a number of seconds, 0 or more.');
  }
  const playing = request.action === 'seek' ? state.playing : request.action === 'play';
  return { ...next, position, playing };
}

/** A chat message as it is passed on, or a `PartyRuleError`. Escaping is the page's job (text nodes). */
export function chatText(text: unknown): string {
  if (typeof text !== 'string' || text.trim() === '') {
    throw new PartyRuleError('bad_request', 'A chat message is some text.');
  }
  if (text.length > CHAT_MAX_CHARS) {
    throw new PartyRuleError('bad_request', `A chat message is at most ${CHAT_MAX_CHARS} characters.`);
  }
  return text.trim();
}

/** A display name: trimmed, control characters dropped, cut to length; empty → `fallback`. */
export function displayName(name: unknown, fallback: string): string {
  // eslint-disable-next-line no-control-regex
  const clean = typeof name === 'string' ? name.replace(/[\u0000-\u001f\u007f]/g, '').trim() : '';
  return (clean || fallback).slice(0, NAME_MAX_CHARS);
}
