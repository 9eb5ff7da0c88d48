import { AppError } from '../../core/errors/app-error.js';
import { ADDON_CATALOGS, type CatalogName } from './stremio-catalogs.js';

/**
 * The first path segment after `/stremio/`: the app password, then optionally `~` and the chosen
 * catalogs joined by dots (`svp_…~movies.anime`), which the configure page writes. Everything Stremio
 * asks for is relative to the manifest's URL, so the options must live in the path, beside the
 * password. `~` never occurs in an app password (base64url).
 */
export interface AddonKey {
  password: string;
  catalogs: readonly CatalogName[];
}

const ALL: readonly CatalogName[] = ADDON_CATALOGS.map((catalog) => catalog.name);

export function parseAddonKey(segment: string): AddonKey {
  const [password, options, ...rest] = segment.split('~');
  if (rest.length > 0 || options === '') throw badOptions(segment);
  if (options === undefined) return { password, catalogs: ALL };
  const chosen = options.split('.');
  if (chosen.some((name) => !ALL.includes(name as CatalogName))) throw badOptions(segment);
  // The manifest lists them in our order, whatever order the URL gave.
  return { password, catalogs: ALL.filter((name) => chosen.includes(name)) };
}

/** The key segment for `password` and `catalogs` (no options part when all are chosen). */
export function formatAddonKey(password: string, catalogs: readonly CatalogName[]): string {
  const chosen = ALL.filter((name) => catalogs.includes(name));
  return chosen.length === ALL.length || chosen.length === 0 ? password : `${password}~${chosen.join('.')}`;
}

/**
 * The configure form's choice (`?catalog=movies&catalog=anime`): the catalogs named, in our order;
 * none named (or only unknown ones) keeps `current`, and says so.
 */
export function chooseCatalogs(
  asked: unknown,
  current: readonly CatalogName[],
): { catalogs: readonly CatalogName[]; nothingChosen: boolean } {
  if (asked === undefined) return { catalogs: current, nothingChosen: false };
  const wanted = [asked].flat();
  const chosen = ALL.filter((name) => wanted.includes(name));
  return chosen.length > 0
    ? { catalogs: chosen, nothingChosen: false }
    : { catalogs: current, nothingChosen: true };
}

function badOptions(segment: string): AppError {
  const options = segment.slice(segment.indexOf('~') + 1, segment.indexOf('~') + 60);
  return new AppError(
    400,
    'bad_request',
    `Unknown add-on options "${options}": after "~" list catalogs (${ALL.join(', ')}) joined by dots.`,
  );
}
