import { AppError } from '../../core/errors/app-error.js';
import { type TitleFields } from '../../library/library.service.js';
import { type Title } from '../../library/schemas/title.schema.js';
import { type TitleFormDto } from '../dto/title-form.dto.js';

const GENRE_MAX_CHARS = 60;

/**
 * Only the fields the admin actually changed: each edited field gets locked against enrichment, so
 * re-saving the form unchanged must not lock everything.
 */
export function changedFields(title: Title, form: TitleFormDto): TitleFields {
  const changed: TitleFields = {};
  const name = form.name.trim();
  if (name !== title.name) changed.name = name;
  // An emptied field is a change too: it clears the value (and keeps enrichment from filling it).
  const originalName = form.originalName?.trim();
  if (originalName !== undefined && originalName !== (title.originalName ?? ''))
    changed.originalName = originalName;
  if (form.year !== undefined && form.year !== title.year) changed.year = form.year;
  const overview = form.overview?.trim();
  if (overview !== undefined && overview !== (title.overview ?? '')) changed.overview = overview;
  if (form.genres !== undefined) {
    const genres = [
      ...new Set(
        form.genres
          .split(',')
          .map((g) => g.trim())
          .filter(Boolean),
      ),
    ].slice(0, 30);
    // The API's limit: one comma-separated field must not let a 2,000-character genre through.
    const long = genres.find((genre) => genre.length > GENRE_MAX_CHARS);
    if (long) {
      throw new AppError(
        400,
        'bad_request',
        `A genre is at most ${GENRE_MAX_CHARS} characters; "${long.slice(0, 30)}…" has ${long.length}.`,
      );
    }
    if (genres.join('\n') !== title.genres.join('\n')) changed.genres = genres;
  }
  return changed;
}
