import { parseTorrentTitle } from '@viren070/parse-torrent-title';
import { type ParsedRelease, type TitleKind } from './parsed-release.js';

/**
 * Release-name parsing: the well-kept `@viren070/parse-torrent-title` does the heavy lifting; our rules
 * normalise its vocabulary (resolution, source, codec), tell anime (fansub group + absolute number)
 * from series, and let a manual hint ("Title S01E01") override what the file name says.
 */
export function parseReleaseName(name: string, hint?: string): ParsedRelease {
  const parsed = fromLibrary(stripExtension(name));
  if (!hint?.trim()) return parsed;
  const fromHint = fromLibrary(hint.trim());
  return {
    ...parsed,
    title: fromHint.title || parsed.title,
    year: fromHint.year ?? parsed.year,
    kind:
      fromHint.episodes.length > 0 || fromHint.season !== undefined
        ? fromHint.kind
        : hintKind(fromHint, parsed),
    season: fromHint.episodes.length > 0 || fromHint.season !== undefined ? fromHint.season : parsed.season,
    episodes: fromHint.episodes.length > 0 ? fromHint.episodes : parsed.episodes,
  };
}

/** A hint naming only a title keeps the file's episode numbers (e.g. hint "Naruto" for "E05.mkv"). */
function hintKind(hint: ParsedRelease, parsed: ParsedRelease): TitleKind {
  return parsed.episodes.length > 0 ? parsed.kind : hint.kind;
}

function fromLibrary(name: string): ParsedRelease {
  const raw = parseTorrentTitle(name) as RawParse;
  const episodes = [...new Set(raw.episodes ?? [])].sort((a, b) => a - b);
  const season = raw.seasons?.[0];
  const absolute = episodes.length > 0 && season === undefined;
  const kind: TitleKind =
    episodes.length === 0 && season === undefined ? 'movie' : absolute ? 'anime' : 'series';
  return {
    title: cleanTitle(raw.title ?? name),
    year: raw.year ? Number(raw.year) : undefined,
    kind,
    season,
    episodes,
    episodeTitle: raw.episodeTitle || undefined,
    resolution: normalizeResolution(raw.resolution),
    source: normalizeSource(raw.quality),
    codec: normalizeCodec(raw.codec),
    group: raw.group || undefined,
  };
}

interface RawParse {
  title?: string;
  year?: string | number;
  seasons?: number[];
  episodes?: number[];
  episodeTitle?: string;
  resolution?: string;
  quality?: string;
  codec?: string;
  group?: string;
}

const VIDEO_EXTENSIONS = /\.(mkv|mp4|m4v|avi|mov|wmv|webm|ts|m2ts|flv|mpg|mpeg)$/i;

function stripExtension(name: string): string {
  return name.trim().replace(VIDEO_EXTENSIONS, '');
}

function cleanTitle(title: string): string {
  return title.replace(/[._]+/g, ' ').replace(/\s+/g, ' ').trim();
}

function normalizeResolution(value?: string): string | undefined {
  if (!value) return undefined;
  const v = value.toLowerCase();
  if (v === '4k' || v.includes('2160') || v === 'uhd') return '2160p';
  const match = /(\d{3,4})[pi]?/.exec(v);
  return match ? `${match[1]}p` : undefined;
}

function normalizeSource(value?: string): string | undefined {
  if (!value) return undefined;
  const v = value.toLowerCase().replace(/[^a-z]/g, '');
  if (/bluray|brrip|bdrip|remux|^bd/.test(v)) return 'bluray';
  if (v.startsWith('web')) return 'web';
  if (/hdtv|pdtv|sdtv|tvrip/.test(v)) return 'hdtv';
  if (v.includes('dvd')) return 'dvd';
  if (v.includes('cam')) return 'cam';
  if (/telesync|^ts$|hdts/.test(v)) return 'telesync';
  if (/scr|screener/.test(v)) return 'screener';
  return undefined;
}

function normalizeCodec(value?: string): string | undefined {
  if (!value) return undefined;
  const v = value.toLowerCase().replace(/[^a-z0-9]/g, '');
  if (/x264|h264|avc/.test(v)) return 'h264';
  if (/x265|h265|hevc/.test(v)) return 'h265';
  if (v.includes('av1')) return 'av1';
  if (/xvid|divx/.test(v)) return 'xvid';
  if (v.includes('vp9')) return 'vp9';
  return undefined;
}
