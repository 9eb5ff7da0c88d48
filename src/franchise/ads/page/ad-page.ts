import { type AdSlotName } from '../dto/ads-settings.dto.js';

/** What the player's ad module (views/assets/site/player-ads.js) is told, as JSON in `data-ads`. */
export interface PlayerAdConfig {
  vastTagUrl: string;
  preroll: boolean;
  /** Seconds into the content. */
  midrolls: number[];
  /** Where the player reports ad events (`<trackUrl>/<event>?token=…&ad=<break index>`). */
  trackUrl: string;
  /** The page's serving token: covers its breaks (pre-roll and mid-rolls), each event once. */
  trackToken: string;
  /** Longest wait for the VAST document (wrappers included) before the content plays. */
  timeoutMs: number;
  /** Most wrappers followed. */
  wrapperLimit: number;
}

/** The ads of one site page for one viewer, left on the request for the page renderer. */
export interface AdPage {
  nonce: string;
  /** Finished HTML per named slot. */
  slots: Partial<Record<AdSlotName, string>>;
  /** The player's config as JSON (player pages only, when a VAST tag is set). */
  player?: string;
  /** Download buttons go through `/ads/download/:fileId` (the owner's link shortener). */
  shortDownloads: boolean;
}

export interface AdPageRequest {
  adPage?: AdPage;
}
