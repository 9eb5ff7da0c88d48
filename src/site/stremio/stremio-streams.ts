import { INSTALL_NAME } from '../../core/tenancy/site-brand.js';
import { formatBytes } from '../../core/util/format-units.js';
import { type MediaFile } from '../../library/schemas/media-file.schema.js';
import { TEXT_SUBTITLE_CODECS } from '../../stream/subtitles/subtitle-extractor.js';
import { qualityLabel } from '../pages/file-facts.js';
import { type StremioStream, type StremioSubtitle } from './stremio-protocol.js';

/** ISO 639-1 → 639-2/B for the languages probes most often report with two letters. */
const TWO_TO_THREE: Record<string, string> = {
  ar: 'ara',
  cs: 'cze',
  da: 'dan',
  de: 'ger',
  el: 'gre',
  en: 'eng',
  es: 'spa',
  fi: 'fin',
  fr: 'fre',
  he: 'heb',
  hi: 'hin',
  hu: 'hun',
  id: 'ind',
  it: 'ita',
  ja: 'jpn',
  ko: 'kor',
  nl: 'dut',
  no: 'nor',
  pl: 'pol',
  pt: 'por',
  ro: 'rum',
  ru: 'rus',
  sv: 'swe',
  th: 'tha',
  tr: 'tur',
  uk: 'ukr',
  vi: 'vie',
  zh: 'chi',
};

/** A track's language as Stremio wants it (ISO 639-2); `und` when the file does not say. */
export function iso6392(language: string | undefined): string {
  const value = language?.trim().toLowerCase().split(/[-_]/)[0] ?? '';
  if (/^[a-z]{3}$/.test(value)) return value;
  return TWO_TO_THREE[value] ?? 'und';
}

/** Containers and codecs a browser plays as they are; anything else Stremio sends through its server. */
const WEB_CONTAINERS: Record<string, { video: Set<string>; audio: Set<string> }> = {
  'video/mp4': { video: new Set(['h264']), audio: new Set(['aac', 'mp3']) },
  'video/webm': { video: new Set(['vp8', 'vp9', 'av1']), audio: new Set(['opus', 'vorbis']) },
};

export function isWebReady(file: Pick<MediaFile, 'mime' | 'streams'>): boolean {
  const web = WEB_CONTAINERS[file.mime];
  return (
    web !== undefined &&
    file.streams.video.every((track) => web.video.has(track.codec)) &&
    file.streams.audio.every((track) => web.audio.has(track.codec))
  );
}

/** The text subtitle tracks of a file (image tracks cannot become WebVTT), with their positions. */
export function textSubtitleTracks(file: MediaFile) {
  return file.streams.subtitles
    .map((track, position) => ({ track, position }))
    .filter(({ track }) => !track.bitmap && TEXT_SUBTITLE_CODECS.has(track.codec));
}

export interface StreamLinks {
  stream: (file: MediaFile) => string;
  subtitle: (file: MediaFile, position: number) => string;
}

export function subtitlesOf(file: MediaFile, links: StreamLinks): StremioSubtitle[] {
  return textSubtitleTracks(file).map(({ track, position }) => ({
    id: `${String(file._id)}-${position}`,
    url: links.subtitle(file, position),
    lang: iso6392(track.language),
  }));
}

function languages(tracks: readonly { language?: string }[]): string[] {
  return [...new Set(tracks.map((track) => iso6392(track.language)).filter((l) => l !== 'und'))];
}

/**
 * One stream per file: the signed URL, the site's name and the quality as its name, the file name, size
 * and languages as its description; the binge group keeps Stremio on the same title and quality from
 * one episode to the next.
 */
export function toStream(
  file: MediaFile,
  titleId: string,
  links: StreamLinks,
  siteName = INSTALL_NAME,
): StremioStream {
  const quality = qualityLabel(file);
  const audio = languages(file.streams.audio);
  const subtitles = subtitlesOf(file, links);
  const subtitleLanguages = [...new Set(subtitles.map((s) => s.lang).filter((l) => l !== 'und'))];
  const facts = [
    formatBytes(file.size),
    audio.length > 0 ? `audio ${audio.join(', ')}` : undefined,
    subtitleLanguages.length > 0 ? `subtitles ${subtitleLanguages.join(', ')}` : undefined,
  ].filter(Boolean);
  const description = `${file.fileName}\n${facts.join(' · ')}`;
  return {
    url: links.stream(file),
    name: quality ? `${siteName}\n${quality}` : siteName,
    title: description,
    description,
    ...(subtitles.length > 0 ? { subtitles } : {}),
    behaviorHints: {
      bingeGroup: `streamvault-${titleId}-${quality ?? 'file'}`,
      ...(isWebReady(file) ? {} : { notWebReady: true as const }),
      filename: file.fileName,
      videoSize: file.size,
    },
  };
}

/** Best picture first; files without a known height last. */
export function byQuality(a: MediaFile, b: MediaFile): number {
  const height = (file: MediaFile) => Math.max(0, ...file.streams.video.map((video) => video.height ?? 0));
  return height(b) - height(a);
}
