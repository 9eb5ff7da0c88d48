import { formatBytes, formatClock } from '../../core/util/format-units.js';
import { type Types } from 'mongoose';

interface Tracks {
  streams: {
    video: readonly { height?: number }[];
    audio: readonly { language?: string }[];
    subtitles: readonly { language?: string }[];
  };
}

/** What the facts are made from: a file record or its card (library/file-card). */
export type FactsSource = Tracks & {
  _id: Types.ObjectId;
  fileName: string;
  size: number;
  duration?: number;
};

/** "2160p" / "1080p" / "720p" / "SD" from the picture height (the usual release-name ladder). */
export function qualityLabel(file: { streams: Pick<Tracks['streams'], 'video'> }): string | undefined {
  const height = Math.max(0, ...file.streams.video.map((video) => video.height ?? 0));
  if (height === 0) return undefined;
  if (height >= 1500) return '2160p';
  if (height >= 900) return '1080p';
  if (height >= 600) return '720p';
  if (height >= 400) return '480p';
  return 'SD';
}

function languages(tracks: readonly { language?: string }[]): string {
  return [...new Set(tracks.map((track) => track.language).filter((l): l is string => Boolean(l)))].join(
    ', ',
  );
}

/** What a file list shows of one file: quality, size, length, audio and subtitle languages. */
export function fileFacts(file: FactsSource) {
  return {
    id: String(file._id),
    fileName: file.fileName,
    quality: qualityLabel(file),
    size: formatBytes(file.size),
    duration: file.duration ? formatClock(file.duration) : undefined,
    audio: languages(file.streams.audio),
    subtitles: languages(file.streams.subtitles),
  };
}

export type FileFacts = ReturnType<typeof fileFacts>;
