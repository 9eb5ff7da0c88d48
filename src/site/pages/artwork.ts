import { type Title } from '../../library/schemas/title.schema.js';

/**
 * A title's artwork as pages may show it: only images served by this app. A catalogue CDN address
 * (what enrichment records until the worker has fetched a local copy) is never put in a page.
 */
export function localArtwork(ref: string | undefined): string | undefined {
  return ref && ref.startsWith('/') && !ref.startsWith('//') ? ref : undefined;
}

/** The letter shown on a blank poster. */
export function initialOf(title: Pick<Title, 'name'>): string {
  return [...title.name.trim()][0]?.toUpperCase() ?? '?';
}
