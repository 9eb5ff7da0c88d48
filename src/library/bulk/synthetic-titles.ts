import { type TitleKind } from '../release-name/parsed-release.js';
import { type ImportedFile, type ImportedTitle } from './title-import.service.js';

// Word pools for plausible names, with some accented and non-English words so folding gets used.
const ADJECTIVES = [
  'Silent',
  'Crimson',
  'Hidden',
  'Broken',
  'Golden',
  'Last',
  'Frozen',
  'Burning',
  'Hollow',
  'Wild',
  'Dark',
  'Lost',
  'Iron',
  'Electric',
  'Midnight',
  'Velvet',
  'Savage',
  'Quiet',
  'Endless',
  'Fallen',
  'Bright',
  'Little',
  'Secret',
  'Distant',
  'Northern',
  'Scarlet',
  'Wandering',
  'Sleeping',
  'Shattered',
  'Eternal',
  'Forgotten',
  'Restless',
  'Painted',
  'Silver',
  'Rising',
  'Crooked',
  'Gentle',
  'Blind',
  'Hungry',
  'Lonely',
  'Perfect',
  'Strange',
  'Twisted',
  'Fearless',
  'Neon',
  'Black',
  'White',
  'Blue',
];
const NOUNS = [
  'Harbor',
  'Empire',
  'Garden',
  'River',
  'Kingdom',
  'Signal',
  'Lantern',
  'Orchard',
  'Frontier',
  'Winter',
  'Crown',
  'Horizon',
  'Voyage',
  'Echo',
  'Citadel',
  'Station',
  'Summer',
  'Dynasty',
  'Protocol',
  'Tide',
  'Forest',
  'Mirror',
  'Valley',
  'Machine',
  'Archive',
  'Café',
  'Château',
  'Señor',
  'Ocean',
  'Desert',
  'Island',
  'Mountain',
  'Shadow',
  'Storm',
  'Dream',
  'Letter',
  'Window',
  'Bridge',
  'Circus',
  'Engine',
  'Falcon',
  'Garage',
  'Hunter',
  'Journey',
  'Legend',
  'Mission',
  'Night',
  'Paradise',
];
const FOREIGN = ['Le', 'La', 'El', 'Der', 'Die', 'Il', 'Les', 'Los'];
const SYLLABLES = [
  'shin',
  'ka',
  'mi',
  'no',
  'ko',
  'to',
  'yo',
  'ru',
  'sa',
  'ki',
  'ha',
  'na',
  'ri',
  'te',
  'su',
  'ma',
];
const KANA: Record<string, string> = {
  shin: 'しん',
  ka: 'か',
  mi: 'み',
  no: 'の',
  ko: 'こ',
  to: 'と',
  yo: 'よ',
  ru: 'る',
  sa: 'さ',
  ki: 'き',
  ha: 'は',
  na: 'な',
  ri: 'り',
  te: 'て',
  su: 'す',
  ma: 'ま',
};
const GENRES = [
  'Action',
  'Adventure',
  'Animation',
  'Comedy',
  'Crime',
  'Documentary',
  'Drama',
  'Family',
  'Fantasy',
  'History',
  'Horror',
  'Music',
  'Mystery',
  'Romance',
  'Science Fiction',
  'Thriller',
  'War',
  'Western',
];
const SEQUELS = ['', '', '', '', '', ' II', ' III', ' Returns', ': Origins', ' 2'];

/** Deterministic pseudo-random numbers in [0, 1) (mulberry32): the same seed, the same library. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Synthetic but plausible titles: movies (several files as qualities), series and anime (seasons of
 * episodes), names from word pools with accents, foreign original titles, romaji and kana names for
 * anime, 1–3 genres, years 1950–2026. File records only; no media bytes exist behind them.
 */
export function* syntheticTitles(random: () => number, filesPerTitle: number): Generator<ImportedTitle> {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
  for (;;) {
    const roll = random();
    const kind: TitleKind = roll < 0.5 ? 'movie' : roll < 0.85 ? 'series' : 'anime';
    const year = 1950 + Math.floor(random() * 77);
    const noun = pick(NOUNS);
    const pattern = random();
    const base =
      pattern < 0.35
        ? `The ${pick(ADJECTIVES)} ${noun}`
        : pattern < 0.6
          ? `${pick(ADJECTIVES)} ${noun}`
          : pattern < 0.8
            ? `${noun} of the ${pick(ADJECTIVES)} ${pick(NOUNS)}`
            : `${pick(NOUNS)} ${noun}`;
    const name = `${base}${pick(SEQUELS)}`;
    const genres = [...new Set(Array.from({ length: 1 + Math.floor(random() * 3) }, () => pick(GENRES)))];
    const title: ImportedTitle = { kind, name, year, genres, aliases: [], files: [] };
    if (kind === 'anime') {
      const words = Array.from({ length: 2 + Math.floor(random() * 2) }, () =>
        Array.from({ length: 2 + Math.floor(random() * 2) }, () => pick(SYLLABLES)),
      );
      title.aliases = [words.map((w) => capitalize(w.join(''))).join(' ')];
      title.originalName = words.map((w) => w.map((s) => KANA[s]).join('')).join('');
    } else if (random() < 0.2) {
      title.originalName = `${pick(FOREIGN)} ${pick(NOUNS)} ${pick(ADJECTIVES).toLowerCase()}`;
    }
    title.overview = `${name} (${year}): a ${genres.join(', ').toLowerCase()} ${kind}.`;
    title.files = files(title, filesPerTitle, random);
    yield title;
  }
}

function files(title: ImportedTitle, count: number, random: () => number): ImportedFile[] {
  const out: ImportedFile[] = [];
  for (let i = 0; i < count; i++) {
    const episodic = title.kind !== 'movie';
    const season = episodic ? 1 + Math.floor(i / 12) : undefined;
    const episode = episodic ? 1 + (i % 12) : undefined;
    const height = [480, 720, 1080, 2160][Math.floor(random() * 4)];
    const label = episodic
      ? `S${String(season).padStart(2, '0')}E${String(episode).padStart(2, '0')}`
      : `(${title.year})`;
    const size = Math.round((episodic ? 300 : 1200) * (1 + random() * 3) * 1024 * 1024);
    out.push({
      fileName: `${title.name} ${label} ${height}p.mkv`,
      size,
      mime: 'video/x-matroska',
      duration: episodic ? 1200 + Math.round(random() * 2400) : 5400 + Math.round(random() * 3600),
      storage: {
        kind: 'local',
        parts: [{ ref: `seed/${Math.floor(random() * 1e12).toString(36)}.mkv`, size }],
      },
      streams: {
        video: [{ index: 0, codec: 'h264', width: Math.round((height * 16) / 9), height }],
        audio: [{ index: 1, codec: 'aac', language: 'en', channels: 2 }],
        subtitles: [],
      },
      season,
      episode,
    });
  }
  return out;
}

function capitalize(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}
