import { type TaskView } from '../../ingest/ingest.service.js';
import { type MediaFile } from '../../library/schemas/media-file.schema.js';
import { type Title } from '../../library/schemas/title.schema.js';
import { formatBytes, formatClock } from '../../core/util/format-units.js';
import { cutText, episodeCode, escapeHtml, shortId } from '../format/text-format.js';

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

/** The message for a finished pack: the title, what was added, what failed (each with its reason). */
export function packCaption(
  view: TaskView,
  name: string,
  year: number | undefined,
  watchUrl: string,
): string {
  const counts = view.itemCounts;
  const added = view.fileIds.length;
  const lines = [
    `✅ <b>${escapeHtml(name)}</b>${year ? ` (${year})` : ''} · ${added} file${added === 1 ? '' : 's'} added`,
  ];
  const left = counts.skipped + counts.unsupported;
  if (left > 0) lines.push(`${left} left out (samples, notes, kinds not supported yet)`);
  const failed = view.items.filter((item) => item.state === 'failed');
  if (failed.length > 0) {
    lines.push(`❌ ${failed.length} failed:`);
    for (const item of failed.slice(0, 5)) {
      lines.push(failedLine(item));
    }
    if (failed.length > 5) lines.push(`+${failed.length - 5} more`);
    lines.push(`Retry the failed ones with <code>/retry ${view.taskId}</code>`);
  }
  lines.push(`<a href="${escapeHtml(watchUrl)}">▶ Watch the first</a>`);
  return lines.join('\n');
}

/**
 * The message for comics (one chapter or a pack of them): the series, each chapter added (volume,
 * chapter, pages: the note ReadVault left on its item), what failed, and a link to read.
 */
export function comicCaption(view: TaskView, seriesName: string, readUrl: string): string {
  const added = view.items.filter((item) => item.kind === 'comic' && item.state === 'done');
  const lines = [
    `✅ <b>${escapeHtml(seriesName)}</b> · ${added.length} chapter${added.length === 1 ? '' : 's'} added`,
  ];
  for (const item of added.slice(0, 10)) {
    lines.push(`• ${escapeHtml(item.note ?? item.name.split('/').pop() ?? item.name)}`);
  }
  if (added.length > 10) lines.push(`+${added.length - 10} more`);
  const failed = view.items.filter((item) => item.state === 'failed');
  if (failed.length > 0) {
    lines.push(`❌ ${failed.length} failed:`);
    for (const item of failed.slice(0, 5)) {
      lines.push(failedLine(item));
    }
    lines.push(`Retry the failed ones with <code>/retry ${view.taskId}</code>`);
  }
  lines.push(`<a href="${escapeHtml(readUrl)}">📖 Read</a>`);
  return lines.join('\n');
}

/** `• name: why` for a pack's failed item, both cut short (a caption holds 1,024 characters). */
function failedLine(item: TaskView['items'][number]): string {
  const name = item.name.split('/').pop() ?? item.name;
  return `• ${escapeHtml(cutText(name, 60))}: ${escapeHtml(cutText(item.error ?? '', 100))}`;
}

export function failureMessage(name: string, error: string | null, taskId: string): string {
  return [
    `❌ <b>${escapeHtml(name)}</b> failed: ${escapeHtml(error ?? 'no reason was recorded')}`,
    `Retry with <code>/retry ${taskId}</code>`,
  ].join('\n');
}

/** The message for a cancelled task, with the short id that retries it (it is no longer followed). */
export function cancelledMessage(name: string, taskId: string): string {
  return [
    `✖ <b>${escapeHtml(name)}</b> was cancelled.`,
    `Retry with <code>/retry ${shortId(taskId)}</code>`,
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
