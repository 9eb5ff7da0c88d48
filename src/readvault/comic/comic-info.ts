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

/**
 * Reads the fields ReadVault uses from a ComicInfo.xml. The format is flat (one element per field
 * under `<ComicInfo>`), so the elements are read directly rather than through a full XML parser;
 * anything unreadable is simply absent.
 */
export function parseComicInfo(xml: string): ComicInfo {
  const field = (name: string): string | undefined => {
    const match = new RegExp(`<${name}(?:\\s[^>]*)?>([\\s\\S]*?)</${name}>`, 'i').exec(xml);
    const text = match?.[1]
      .replace(/<!\[CDATA\[([\s\S]*?)\]\]>/g, '$1')
      .replace(/&(#x[0-9a-f]+|#\d+|\w+);/gi, (whole, code: string) => {
        if (code.startsWith('#x')) return String.fromCodePoint(parseInt(code.slice(2), 16));
        if (code.startsWith('#')) return String.fromCodePoint(Number(code.slice(1)));
        return ENTITIES[code.toLowerCase()] ?? whole;
      })
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
