import { ARTWORK_ID, type ArtworkSize, artworkPath } from '../../library/artwork/artwork-sizes.js';
import { type Title } from '../../library/schemas/title.schema.js';

/**
 * A title's artwork as pages show it: the local copy the worker made (served resized by this app),
 * never the catalogue CDN address enrichment found. No local copy yet: no image.
 */
export function artworkSrc(artworkId: string | null | undefined, size: ArtworkSize): string | undefined {
  return artworkId && ARTWORK_ID.test(artworkId) ? artworkPath(artworkId, size) : undefined;
}

/** The letter shown on a blank poster. */
export function initialOf(title: Pick<Title, 'name'>): string {
  return [...title.name.trim()][0]?.toUpperCase() ?? '?';
}
