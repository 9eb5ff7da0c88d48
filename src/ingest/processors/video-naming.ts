import { type ParsedRelease } from '../../library/release-name/parsed-release.js';
import { parseReleaseName } from '../../library/release-name/release-name.parser.js';

/**
 * What a video is, told from its path in the source (`pathInSource`: the torrent's folder or the
 * archive's name in front) and the task's hint. The file's own name says it first. Where it names no
 * season (`Show - 01.mkv`), the names around it do, innermost first: its folders (`Season 2`,
 * `Show S02`), the download's name (`Show.S02.1080p`), then — in a pack — the hint. Where it names
 * no show (`Season 2/Episode 01.mkv`), the same names do. The hint's title wins over every name; for
 * a single video the whole hint does ("Show S01E02"), while in a pack each file says its own episode.
 */
export function nameVideo(path: string, hint: string | undefined, videos: number): ParsedRelease {
  const folders = path.split('/').filter(Boolean);
  const file = folders.pop() ?? path;
  const pack = videos > 1;
  const hinted = hint?.trim() ? parseReleaseName(hint) : undefined;
  const own = parseReleaseName(file, pack ? showOf(hinted) : hint);
  const around = folders.reverse().map((folder) => parseReleaseName(folder));
  if (pack && hinted) around.push(hinted);
  const named = { ...own };
  if (namesNoShow(own)) {
    const show = around.find((name) => !namesNoShow(name));
    if (show) Object.assign(named, { title: show.title, year: show.year ?? own.year });
  }
  // Without a season an episode would be filed in season 1 (where absolute-numbered anime lives).
  if (own.season === undefined && own.episodes.length > 0) {
    const season = around.find((name) => name.season !== undefined)?.season;
    if (season !== undefined) Object.assign(named, { season, kind: 'series' });
  }
  return named;
}

/** The hint as it applies to every file of a pack: its show (title and year), not its episode. */
function showOf(hint: ParsedRelease | undefined): string | undefined {
  if (!hint || namesNoShow(hint)) return undefined;
  return [hint.title, hint.year].filter(Boolean).join(' ');
}

/** `Season 2`, `S02`, `E01 - Pilot`, `Episode 3`, `1x03`: where the parser fell back on the marks. */
const MARKS = /^(?:(?:s|season|e|ep|episode)[\s.]*\d+(?!\p{L})|\d+x\d+)/iu;

/**
 * A name that says nothing of the show: no title, a title that starts with a season or episode mark,
 * or one that starts with the file's own episode number (`02 The Start.mkv`, but not `30 Rock - 01`).
 */
function namesNoShow(name: ParsedRelease): boolean {
  const title = name.title.trim();
  const leading = /^\d+(?!\d)/.exec(title);
  return !title || MARKS.test(title) || (leading !== null && name.episodes.includes(Number(leading[0])));
}
