import { extname } from 'node:path';

export const UNKNOWN_ARTIST = 'Unknown Artist';
export const UNKNOWN_ALBUM = 'Unknown Album';

/** A disc's folder inside its album's: `CD2`, `Disc 1`, `disk3`. */
export const DISC_FOLDER = /^(cd|disc|disk)\s*\d+$/i;

export interface NamedTrack {
  title: string;
  artist?: string;
  album?: string;
  track?: number;
  disc?: number;
  year?: number;
}

/**
 * What a track's path says when its tags say nothing: `Artist - Album (2001)/01 - Title.flac`,
 * `Artist/Album/CD2/03. Title.mp3`, `01 Artist - Title.ogg`. The file name gives the number and
 * title, the folders the album and artist.
 */
export function trackFromPath(path: string): NamedTrack {
  const segments = path.split('/').filter(Boolean);
  const file = segments.pop() ?? path;
  let stem = file.slice(0, file.length - extname(file).length).trim();
  const named: NamedTrack = { title: stem };
  let disc: number | undefined;
  if (segments.length > 0 && DISC_FOLDER.test(segments.at(-1)!)) {
    disc = Number(/\d+/.exec(segments.pop()!)![0]);
  }
  const numbered = /^(?:(\d)[-.](\d{1,2})|(\d{1,3}))(?:\s*[-._)]\s*|\s+)(.+)$/.exec(stem);
  if (numbered) {
    if (numbered[1]) disc = Number(numbered[1]);
    named.track = Number(numbered[2] ?? numbered[3]);
    stem = numbered[4].trim();
  }
  const dashed = /^(.+?)\s+-\s+(.+)$/.exec(stem);
  if (dashed) {
    named.artist = dashed[1].trim();
    named.title = dashed[2].trim();
  } else {
    named.title = stem || file;
  }
  named.disc = disc;
  const folder = segments.pop();
  if (folder) {
    const yearMatch = /\s*[([](\d{4})[)\]]\s*/.exec(folder);
    if (yearMatch) named.year = Number(yearMatch[1]);
    const clean = folder.replace(/\s*[([]\d{4}[)\]]\s*/, ' ').trim();
    const artistAlbum = /^(.+?)\s+-\s+(.+)$/.exec(clean);
    if (artistAlbum) {
      named.artist ??= artistAlbum[1].trim();
      named.album = artistAlbum[2].trim();
    } else {
      named.album = clean;
      const parent = segments.pop();
      if (parent) named.artist ??= parent.trim();
    }
  }
  return named;
}

/** Genre tags hold lists in one value ("Rock; Pop", "Rock/Pop"): one entry per genre, no duplicates. */
export function splitGenres(values: readonly string[]): string[] {
  const genres = values
    .flatMap((value) => value.split(/\s*(?:;|\||\s\/\s|\/|\\\\)\s*/))
    .map((genre) => genre.trim())
    .filter((genre) => genre.length > 0);
  return genres.filter(
    (genre, index) => genres.findIndex((g) => g.toLowerCase() === genre.toLowerCase()) === index,
  );
}

const LRC_LINE = /^\s*((?:\[\d{1,3}:\d{1,2}(?:[.:]\d{1,3})?\])+)(.*)$/;

/** LRC text ("[01:02.50]words") as timed lines (milliseconds), or undefined when it is plain text. */
export function parseLrc(text: string): { start: number; value: string }[] | undefined {
  const lines: { start: number; value: string }[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const match = LRC_LINE.exec(raw);
    if (!match) continue;
    for (const stamp of match[1].matchAll(/\[(\d{1,3}):(\d{1,2})(?:[.:](\d{1,3}))?\]/g)) {
      const fraction = stamp[3] ? Number(stamp[3].padEnd(3, '0')) : 0;
      lines.push({
        start: (Number(stamp[1]) * 60 + Number(stamp[2])) * 1000 + fraction,
        value: match[2].trim(),
      });
    }
  }
  return lines.length > 0 ? lines.sort((a, b) => a.start - b.start) : undefined;
}
