import { PAGE_WIDTHS, pageMime } from '../pages/page-mime.js';
import { type PageInfo } from './chapter.schema.js';

/** The width a feed's chapter thumbnail asks for. */
export const THUMBNAIL_WIDTH = 320;

/** The types a chapter's feed links declare: its first page, its thumbnail and its PSE stream. */
export interface ChapterLinkTypes {
  image: string;
  thumbnail: string;
  pse: string;
}

/**
 * What the page route answers for a chapter's feed links, or none for a chapter without pages. Kept
 * in the series' chapter list when the chapter is filed, so a feed lists any number of chapters
 * without reading them (a change to how pages are typed needs those entries computed again).
 */
export function chapterLinkTypes(pages: readonly PageInfo[]): ChapterLinkTypes | undefined {
  if (pages.length === 0) return undefined;
  return {
    image: pageMime(pages[0]),
    thumbnail: pageMime(pages[0], THUMBNAIL_WIDTH),
    pse: pseType(pages),
  };
}

/**
 * The type of a chapter's PSE answers: the app fills in any width, so every page may come at every
 * listed width. One type when all of those agree; when they differ (pages of several types, or some
 * resized to WebP while others are sent as stored) the first page's stored type, as its image link.
 */
function pseType(pages: readonly PageInfo[]): string {
  const types = new Set(pages.flatMap((page) => PAGE_WIDTHS.map((width) => pageMime(page, width))));
  return types.size === 1 ? [...types][0] : pageMime(pages[0]);
}
