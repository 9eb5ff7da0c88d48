/**
 * What the player reports about a linear ad (VAST's own names), and what a house ad's VAST document
 * reports through its tracking URLs.
 */
export enum AdEvent {
  Impression = 'impression',
  Start = 'start',
  FirstQuartile = 'firstQuartile',
  Midpoint = 'midpoint',
  ThirdQuartile = 'thirdQuartile',
  Complete = 'complete',
  Skip = 'skip',
  Click = 'click',
  Error = 'error',
}

export const AD_EVENTS: readonly AdEvent[] = Object.values(AdEvent);

/** Who reported: our player (every ad it plays), or a house ad's VAST beacons (that creative only). */
export enum AdEventSource {
  Player = 'player',
  House = 'house',
}

/** The counter field of an event: `impression` from the player, `house:impression` from the house ad. */
export function counterField(event: AdEvent, source: AdEventSource): string {
  return source === AdEventSource.House ? `house:${event}` : event;
}

/** A UTC day as `YYYY-MM-DD`. */
export function utcDay(at: Date): string {
  return at.toISOString().slice(0, 10);
}
