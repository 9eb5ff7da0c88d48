import { AppError } from '../../core/errors/app-error.js';
import { MAX_SEARCH_LENGTH } from './stremio-addon.service.js';

/**
 * The "extra" path segment Stremio appends to catalog and subtitles requests: `search=…&skip=100.json`,
 * query-string encoded. Read from the raw (still percent-encoded) segment, so a `&` or `=` inside a
 * search is data, not a separator. Unknown names are ignored, as the protocol lets clients add some.
 */
export interface AddonExtra {
  search?: string;
  genre?: string;
  skip?: number;
  videoSize?: number;
}

export function parseExtra(rawSegment: string): AddonExtra {
  const params = new URLSearchParams(stripJson(rawSegment));
  const extra: AddonExtra = {};
  const search = params.get('search')?.trim();
  if (search) {
    if (search.length > MAX_SEARCH_LENGTH)
      throw new AppError(400, 'bad_request', `A search is at most ${MAX_SEARCH_LENGTH} characters.`);
    extra.search = search;
  }
  const genre = params.get('genre')?.trim();
  if (genre) {
    if (genre.length > 100) throw new AppError(400, 'bad_request', 'A genre is at most 100 characters.');
    extra.genre = genre;
  }
  extra.skip = count(params.get('skip'), 'skip');
  extra.videoSize = count(params.get('videoSize'), 'videoSize');
  return extra;
}

/** `<id>.json` → `<id>`; anything else is not a resource of this add-on (404). */
export function stripJson(segment: string): string {
  if (!segment.endsWith('.json')) throw new AppError(404, 'not_found', 'Add-on resources end in ".json".');
  return segment.slice(0, -'.json'.length);
}

function count(value: string | null, name: string): number | undefined {
  if (value === null || value === '') return undefined;
  if (!/^\d{1,15}$/.test(value))
    throw new AppError(400, 'bad_request', `"${name}" must be a whole number, not "${value.slice(0, 20)}".`);
  return Number(value);
}
