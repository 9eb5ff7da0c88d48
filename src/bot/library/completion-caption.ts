import { type MediaFile } from '../../library/schemas/media-file.schema.js';
import { type Title } from '../../library/schemas/title.schema.js';
import { formatBytes, formatClock } from '../../core/util/format-units.js';
import { episodeCode, escapeHtml } from '../format/text-format.js';

/** The message for a finished task: what it is, how good, how long, which languages, where to watch. */
export function completionCaption(file: MediaFile, title: Title | undefined, watchUrl: string): string {
  const name = title?.name ?? file.fileName;
  const year = title?.year ? ` (${title.year})` : '';
  const episode =
    file.season !== undefined && file.episodes.length > 0
      ? ` · ${episodeCode(file.season, file.episodes)}`
      : '';
  const facts = [
    quality(file),
    formatBytes(file.size, { precise: true }),
    file.duration ? formatClock(file.duration) : undefined,
  ]
    .filter(Boolean)
    .join(' · ');
  const audio = languages(file.streams.audio);
  const subtitles = languages(file.streams.subtitles);
  const lines = [`✅ <b>${escapeHtml(name)}</b>${escapeHtml(year)}${episode}`, facts];
  if (audio) lines.push(`Audio: ${escapeHtml(audio)}`);
  if (subtitles) lines.push(`Subtitles: ${escapeHtml(subtitles)}`);
  lines.push(`<a href="${escapeHtml(watchUrl)}">▶ Watch</a>`);
  return lines.join('\n');
}

export function failureMessage(name: string, error: string | null, taskId: string): string {
  return [
    `❌ <b>${escapeHtml(name)}</b> failed: ${escapeHtml(error ?? 'no reason was recorded')}`,
    `Retry with <code>/retry ${taskId}</code>`,
  ].join('\n');
}

function quality(file: MediaFile): string | undefined {
  const height = Math.max(0, ...file.streams.video.map((video) => video.height ?? 0));
  if (height === 0) return undefined;
  return height >= 2000 ? '2160p' : `${height}p`;
}

function languages(streams: { language?: string }[]): string {
  return [...new Set(streams.map((s) => s.language).filter((l): l is string => !!l && l !== 'und'))].join(
    ', ',
  );
}
