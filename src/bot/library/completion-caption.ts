import { type MediaFile } from '../../library/schemas/media-file.schema.js';
import { type Title } from '../../library/schemas/title.schema.js';
import { escapeHtml, formatBytes, formatClock } from '../format/text-format.js';

/** The message for a finished task: what it is, how good, how long, which languages, where to watch. */
export function completionCaption(file: MediaFile, title: Title | undefined, watchUrl: string): string {
  const name = title?.name ?? file.fileName;
  const year = title?.year ? ` (${title.year})` : '';
  const episode =
    file.season !== undefined && file.episodes.length > 0
      ? ` · S${pad(file.season)}${file.episodes.map((e) => `E${pad(e)}`).join('')}`
      : '';
  const facts = [
    quality(file),
    formatBytes(file.size),
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

function pad(n: number): string {
  return String(n).padStart(2, '0');
}
