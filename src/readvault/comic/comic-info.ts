/** What a ComicInfo.xml (the ComicRack schema most CBZ tools write) says about a chapter. */
export interface ComicInfo {
  series?: string;
  /** Chapter number (may be 10.5). */
  number?: number;
  volume?: number;
  title?: string;
  writer?: string;
  penciller?: string;
  summary?: string;
  genres: string[];
  language?: string;
  /** `Manga=YesAndRightToLeft`. */
  rightToLeft: boolean;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** What is read of a ComicInfo.xml: its fields come first, and a real one is a few KB. */
export const MAX_COMIC_INFO_CHARS = 64 * 1024;

const FIELDS = [
  'series',
  'number',
  'volume',
  'title',
  'writer',
  'penciller',
  'summary',
  'genre',
  'languageiso',
  'manga',
];

/**
 * Reads the fields ReadVault uses from a ComicInfo.xml. The format is flat (one element per field
 * under `<ComicInfo>`), so the elements are read directly rather than through a full XML parser;
 * anything unreadable is simply absent. One pass over the first MAX_COMIC_INFO_CHARS: a crafted file
 * (thousands of unclosed tags) costs no more than its length on the worker's event loop.
 */
export function parseComicInfo(xml: string): ComicInfo {
  const raw = elementTexts(xml.slice(0, MAX_COMIC_INFO_CHARS));
  const field = (name: string): string | undefined => {
    const text = raw
      .get(name.toLowerCase())
      ?.replace(/<!\[CDATA\[([\s\S]*?)\]\]>/g, '$1')
      .replace(/&(#x[0-9a-f]{1,8}|#\d{1,10}|\w{1,10});/gi, decodeEntity)
      .trim();
    return text ? text.slice(0, 4000) : undefined;
  };
  const number = (name: string): number | undefined => {
    const value = Number(field(name)?.replace(',', '.'));
    return Number.isFinite(value) && value >= 0 ? value : undefined;
  };
  return {
    series: field('Series'),
    number: number('Number'),
    volume: number('Volume'),
    title: field('Title'),
    writer: field('Writer'),
    penciller: field('Penciller'),
    summary: field('Summary'),
    genres: (field('Genre') ?? '')
      .split(/[,;]/)
      .map((genre) => genre.trim())
      .filter(Boolean),
    language: field('LanguageISO'),
    rightToLeft: field('Manga') === 'YesAndRightToLeft',
  };
}

/** An entity as its character; a code point that is no character (past U+10FFFF, a surrogate) stays as written. */
function decodeEntity(whole: string, code: string): string {
  if (!code.startsWith('#')) return ENTITIES[code.toLowerCase()] ?? whole;
  const point =
    code.startsWith('#x') || code.startsWith('#X') ? parseInt(code.slice(2), 16) : Number(code.slice(1));
  const character = point > 0 && point <= 0x10ffff && (point < 0xd800 || point > 0xdfff);
  return character ? String.fromCodePoint(point) : whole;
}

/**
 * The raw text of the first element of each wanted name (lower-cased), found in one left-to-right
 * walk over the tags: CDATA and comments are stepped over whole, anything unclosed ends the walk.
 */
function elementTexts(xml: string): Map<string, string> {
  const texts = new Map<string, string>();
  let open: { name: string; start: number } | undefined;
  let at = 0;
  for (;;) {
    const lt = xml.indexOf('<', at);
    if (lt < 0) break;
    const skipTo = xml.startsWith('<![CDATA[', lt) ? ']]>' : xml.startsWith('<!--', lt) ? '-->' : undefined;
    const end = skipTo ? xml.indexOf(skipTo, lt) : xml.indexOf('>', lt + 1);
    if (end < 0) break;
    at = end + (skipTo?.length ?? 1);
    if (skipTo) continue;
    const tag = /^<(\/?)([\w.:-]+)/.exec(xml.slice(lt, Math.min(end, lt + 64)));
    if (!tag || xml[end - 1] === '/') continue;
    const name = tag[2].toLowerCase();
    if (!open && !tag[1] && FIELDS.includes(name) && !texts.has(name)) open = { name, start: at };
    else if (open && tag[1] && name === open.name) {
      texts.set(name, xml.slice(open.start, lt));
      open = undefined;
    }
  }
  return texts;
}
