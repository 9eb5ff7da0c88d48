import { createHash } from 'node:crypto';

/** The widths artwork is served at; anything else is a 404, so the disk cache stays bounded. */
export const ARTWORK_SIZES = { w185: 185, w342: 342, w780: 780, w1280: 1280 } as const;
export type ArtworkSize = keyof typeof ARTWORK_SIZES;
/** The stored master is at most this wide (the largest served size). */
export const MASTER_WIDTH = ARTWORK_SIZES.w1280;

export const ARTWORK_ID = /^[0-9a-f]{24}$/;

export function isArtworkSize(value: string): value is ArtworkSize {
  return Object.hasOwn(ARTWORK_SIZES, value);
}

/** An image's id is derived from where it came from: fetching the same URL again is a no-op. */
export function artworkId(source: string): string {
  return createHash('sha256').update(source).digest('hex').slice(0, 24);
}

/** Where pages load an artwork rendition from (served by the streamer role, behind nginx's cache). */
export function artworkPath(id: string, size: ArtworkSize): string {
  return `/media/artwork/${id}/${size}.webp`;
}
