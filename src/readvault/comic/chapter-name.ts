/** Series, volume and chapter told from a file or folder name. */
export interface ChapterName {
  series: string;
  volume?: number;
  /** May be 12.5; absent for a volume-only file ("Title v03.cbz"). */
  number?: number;
  title?: string;
}

const EXTENSION = /\.(cbz|cbr|cb7|cbt|zip|rar|7z|tar|pdf)$/i;
const NUMBER = String.raw`(\d+(?:[.,]\d+)?)`;
const VOLUME = new RegExp(String.raw`\b(?:v|vol\.?|volume)\s*${NUMBER}`, 'i');
const CHAPTER = new RegExp(String.raw`\b(?:c|ch\.?|chap\.?|chapter|#)\s*${NUMBER}`, 'i');
/** A bare number after the title: `Title 012`, `Title - 12.5`. */
const TRAILING = new RegExp(String.raw`(?:^|\s-\s|\s)${NUMBER}(?=\s*(?:\(|\[|$|-\s))`);

/**
 * `One Piece v01 c001.cbz` → One Piece, vol 1, ch 1; `[Group] Title - Chapter 12.5.cbz` → Title, ch
 * 12.5; `Title Vol.2 Ch.10 - The Storm` → vol 2, ch 10, "The Storm"; `Title 012 (2019) (Digital)` →
 * ch 12. Group tags in brackets and release notes in parentheses are dropped.
 */
export function parseChapterName(fileName: string): ChapterName {
  let name = fileName.replace(EXTENSION, '').replace(/_/g, ' ');
  name = name.replace(/^\s*(\[[^\]]*\]\s*)+/, ''); // leading [Group] tags
  const cleaned = name
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\((?:\d{4}|digital|scan[^)]*|[^)]*\bc2c\b[^)]*)\)/gi, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  const volume = VOLUME.exec(cleaned);
  const chapter = CHAPTER.exec(cleaned);
  const marks = [volume, chapter].filter((m): m is RegExpExecArray => Boolean(m));
  let series: string;
  let number = chapter ? toNumber(chapter[1]) : undefined;
  let title: string | undefined;
  if (marks.length > 0) {
    const first = Math.min(...marks.map((m) => m.index));
    const last = Math.max(...marks.map((m) => m.index + m[0].length));
    series = cleaned.slice(0, first);
    title = cleaned
      .slice(last)
      .replace(/^\s*[-:–]\s*/, '')
      .trim();
  } else {
    const bare = TRAILING.exec(cleaned);
    if (bare) {
      number = toNumber(bare[1]);
      series = cleaned.slice(0, bare.index);
      title = cleaned
        .slice(bare.index + bare[0].length)
        .replace(/^\s*[-:–]\s*/, '')
        .trim();
    } else series = cleaned;
  }
  series = series.replace(/[\s\-–:]+$/, '').trim() || cleaned || fileName;
  return {
    series,
    volume: volume ? toNumber(volume[1]) : undefined,
    number,
    title: title || undefined,
  };
}

function toNumber(text: string): number {
  return Number(text.replace(',', '.'));
}

/**
 * A chapter told from its path in the source: its own name, or — when that names only the chapter
 * (`Title/Chapter 03`, `Title/v01/c003.cbz`) — its folders' names before it.
 */
export function parseChapterPath(path: string): ChapterName {
  const segments = path.split('/').filter(Boolean);
  const own = parseChapterName(segments.at(-1) ?? path);
  const bare = /^\s*(?:v|vol\.?|volume|c|ch\.?|chap\.?|chapter|#)?\s*\d/i.test(segments.at(-1) ?? '');
  if (!bare || segments.length < 2) return own;
  for (let depth = 2; depth <= segments.length; depth++) {
    const parsed = parseChapterName(segments.slice(-depth).join(' '));
    if (!/^\s*(?:v|vol\.?|volume|c|ch\.?|chap\.?|chapter|#)?\s*\d/i.test(parsed.series)) return parsed;
  }
  return own;
}
