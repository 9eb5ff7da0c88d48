import { basename, dirname, extname, posix } from 'node:path';
import { type IngestItem } from './ingest-item.js';
import { subtitleTags } from './subtitle-language.js';

/** A sample clip is skipped when it is under this size and a larger video sits in the same pack. */
export const SAMPLE_MAX_BYTES = 50 * 1024 * 1024;

const SAMPLE_WORD = /(^|[\s._\-[(])sample([\s._\-\])]|$)/i;

/**
 * Relations between the files of one pack, decided once after classification: samples beside the
 * real video are skipped, `other` files are reported as skipped, and each sidecar subtitle is paired
 * with its video (by name: `Show.S01E02.en.srt` beside `Show.S01E02.mkv`, or `Subs/Show.S01E02/2_English.srt`;
 * the only video of the pack otherwise) and given its language. Mutates and returns `items`.
 */
export function layoutPack(items: IngestItem[]): IngestItem[] {
  const videos = items.filter((item) => item.kind === 'video');
  const largest = Math.max(0, ...videos.map((item) => item.size));
  for (const item of videos) {
    if (isSample(item.name) && item.size < SAMPLE_MAX_BYTES && item.size < largest) {
      skip(item, `a sample clip (${(item.size / 1024 / 1024).toFixed(1)} MiB) beside the full video`);
    }
  }
  for (const item of items) {
    if (item.kind === 'other' && item.state === 'pending') skip(item, item.error ?? 'not media');
  }
  const mains = items
    .map((item, index) => ({ item, index, stem: stemOf(item.name) }))
    .filter(({ item }) => item.kind === 'video' && item.state === 'pending');
  for (const subtitle of items.filter((item) => item.kind === 'subtitle')) {
    const match = pairSubtitle(subtitle, mains);
    if (!match) {
      skip(subtitle, 'no video in the pack matches this subtitle’s name');
      continue;
    }
    subtitle.companionOf = match.index;
    const tags = subtitleTags(match.words);
    subtitle.language = tags.language;
    if (tags.language === 'und') {
      subtitle.note = 'language unknown (the name carries no language tag): kept as "und"';
    }
  }
  return items;
}

function skip(item: IngestItem, reason: string): void {
  item.state = 'skipped';
  item.error = reason;
}

export function isSample(name: string): boolean {
  return name.split('/').some((segment) => SAMPLE_WORD.test(segment.replace(extname(segment), '')));
}

function stemOf(name: string): string {
  return basename(name, extname(name));
}

/** The video this subtitle belongs to, and the words its name adds (where its language is said). */
function pairSubtitle(
  subtitle: IngestItem,
  mains: { item: IngestItem; index: number; stem: string }[],
): { index: number; words: string } | undefined {
  const stem = stemOf(subtitle.name).toLowerCase();
  // Show.S01E02.en.srt beside Show.S01E02.mkv: the longest video stem the subtitle's stem starts with.
  const byPrefix = mains
    .filter(({ stem: video }) => {
      const lower = video.toLowerCase();
      return stem === lower || (stem.startsWith(lower) && /[\s._-]/.test(stem[lower.length]));
    })
    .sort((a, b) => b.stem.length - a.stem.length)[0];
  if (byPrefix) return { index: byPrefix.index, words: stem.slice(byPrefix.stem.length) };
  // Subs/Show.S01E02/2_English.srt: the folder is named after the video.
  const folder = posix.basename(dirname(subtitle.name)).toLowerCase();
  const byFolder = mains.find(({ stem: video }) => video.toLowerCase() === folder);
  if (byFolder) return { index: byFolder.index, words: stem };
  // Subs/English.srt in a pack of one video.
  if (mains.length === 1) {
    const words = stem.startsWith(mains[0].stem.toLowerCase()) ? stem.slice(mains[0].stem.length) : stem;
    return { index: mains[0].index, words };
  }
  return undefined;
}
