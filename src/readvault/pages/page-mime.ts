import { type PageInfo } from '../chapters/chapter.schema.js';

/** Widths a resized page comes in: a request snaps to one, so the cache holds a bounded set. */
export const PAGE_WIDTHS = [320, 480, 720, 1080, 1440] as const;
const MIME: Record<string, string> = {
  jpg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  gif: 'image/gif',
  avif: 'image/avif',
};

/** The largest listed width not above the request (the smallest when it is below all of them). */
export function snapWidth(requested: number): number {
  return [...PAGE_WIDTHS].reverse().find((width) => width <= requested) ?? PAGE_WIDTHS[0];
}

/** Whether `page` answers the page as stored: no width asked, or the page no wider than the snapped width. */
export function servedAsStored(page: PageInfo, width?: number): boolean {
  return width === undefined || snapWidth(width) >= page.width;
}

/**
 * The content type `page` answers for a page at a width: its stored type, or WebP once resized. Feeds
 * declare their image links from here, so they say what the page route really sends.
 */
export function pageMime(page: PageInfo, width?: number): string {
  if (!servedAsStored(page, width)) return 'image/webp';
  return MIME[page.name.slice(page.name.lastIndexOf('.') + 1).toLowerCase()] ?? 'application/octet-stream';
}
