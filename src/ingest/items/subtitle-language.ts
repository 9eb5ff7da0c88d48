/** Languages people tag subtitle files with: ISO 639-1, ISO 639-2 (B and T) and English names. */
const LANGUAGES: [string, string, string[]][] = [
  ['en', 'eng', ['english']],
  ['fr', 'fre', ['fra', 'french', 'francais', 'français']],
  ['de', 'ger', ['deu', 'german', 'deutsch']],
  ['es', 'spa', ['spanish', 'espanol', 'español', 'castellano']],
  ['it', 'ita', ['italian', 'italiano']],
  ['pt', 'por', ['portuguese', 'portugues', 'português']],
  ['nl', 'dut', ['nld', 'dutch', 'nederlands']],
  ['sv', 'swe', ['swedish', 'svenska']],
  ['no', 'nor', ['nob', 'norwegian', 'norsk']],
  ['da', 'dan', ['danish', 'dansk']],
  ['fi', 'fin', ['finnish', 'suomi']],
  ['pl', 'pol', ['polish', 'polski']],
  ['cs', 'cze', ['ces', 'czech']],
  ['hu', 'hun', ['hungarian', 'magyar']],
  ['ro', 'rum', ['ron', 'romanian']],
  ['el', 'gre', ['ell', 'greek']],
  ['tr', 'tur', ['turkish', 'turkce', 'türkçe']],
  ['ru', 'rus', ['russian']],
  ['uk', 'ukr', ['ukrainian']],
  ['ar', 'ara', ['arabic']],
  ['he', 'heb', ['hebrew']],
  ['fa', 'per', ['fas', 'persian', 'farsi']],
  ['hi', 'hin', ['hindi']],
  ['th', 'tha', ['thai']],
  ['vi', 'vie', ['vietnamese']],
  ['id', 'ind', ['indonesian']],
  ['ms', 'may', ['msa', 'malay']],
  ['ja', 'jpn', ['japanese']],
  ['ko', 'kor', ['korean']],
  ['zh', 'chi', ['zho', 'chinese', 'chs', 'cht']],
];

const BY_TAG = new Map<string, string>();
for (const [two, three, others] of LANGUAGES) {
  for (const tag of [two, three, ...others]) BY_TAG.set(tag, two);
}
// "hi" is Hindi by ISO, but in subtitle names it nearly always means "hearing impaired".
BY_TAG.delete('hi');

/** Flags that describe a track rather than name its language. */
const FLAGS = new Set(['forced', 'sdh', 'hi', 'cc', 'full', 'default', 'signs', 'songs']);

export interface SubtitleTags {
  /** ISO 639-1 (or the 639-2 code as written), or "und" when the name does not say. */
  language: string;
  forced: boolean;
  /** The words that described the track (SDH, forced...), for its title. */
  flags: string[];
}

/**
 * The language of a sidecar subtitle from what its name adds to its video's name
 * (`Show.S01E02.en.srt` → "en", `Show.S01E02.English.forced.srt` → "en", forced), or from a
 * `2_English.srt` inside a folder of subtitles. "und" when no word of it is a language.
 */
export function subtitleTags(words: string): SubtitleTags {
  const tokens = words
    .toLowerCase()
    .split(/[\s._\-()[\]]+/)
    .filter(Boolean);
  const flags = tokens.filter((token) => FLAGS.has(token));
  let language = 'und';
  for (const token of tokens) {
    const region = /^([a-z]{2})-?([a-z]{2})$/.exec(token); // pt-br, zh-tw
    const known = BY_TAG.get(token) ?? (region && BY_TAG.get(region[1]) ? region[1] : undefined);
    if (known) {
      language = known;
      break;
    }
  }
  return { language, forced: flags.includes('forced'), flags };
}
