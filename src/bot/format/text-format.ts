/** Small pure formatters for bot messages (HTML parse mode); sizes and durations: core/util/format-units. */

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/**
 * `text` if it has at most `max` characters, else its first ones and `...` within `max`. Counted in
 * UTF-16 units, as Telegram counts its limits (an emoji is two), and never cut inside a character.
 */
export function cutText(text: string, max: number): string {
  if (text.length <= max) return text;
  let kept = '';
  for (const character of text) {
    if (kept.length + character.length > max - 3) break;
    kept += character;
  }
  return `${kept}...`;
}

/**
 * How long Telegram counts an HTML-mode text (its limits: 4,096 for a message, 1,024 for a caption):
 * after entity parsing, so tags do not count and `&lt;` is one character.
 */
export function shownLength(html: string): number {
  return html.replace(/<[^>]*>/g, '').replace(/&(?:lt|gt|quot|amp|#\d+|#x[0-9a-f]+);/gi, '_').length;
}

/** Telegram's longest photo caption, in `shownLength` characters. */
export const CAPTION_LIMIT = 1024;
/** Telegram's longest message, in `shownLength` characters. */
export const MESSAGE_LIMIT = 4096;

/**
 * An HTML text that fits a message: `html` itself, or its words without the markup, cut short (links
 * are lost, the message is not). Only a message quoting something long by mistake needs it.
 */
export function fitMessage(html: string): string {
  if (shownLength(html) <= MESSAGE_LIMIT) return html;
  const plain = html
    .replace(/<[^>]*>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&');
  return escapeHtml(cutText(plain, MESSAGE_LIMIT - 100));
}

/** A link that notifies the user it names, even without a username. */
export function mention(user: { id: number; name: string }): string {
  return `<a href="tg://user?id=${user.id}">${escapeHtml(user.name)}</a>`;
}

export const PROGRESS_CELLS = 12;

/** `[██████░░░░░░]` for a fraction 0..1. */
export function progressBar(fraction: number, cells = PROGRESS_CELLS): string {
  const filled = Math.min(cells, Math.max(0, Math.round(fraction * cells)));
  return `[${'█'.repeat(filled)}${'░'.repeat(cells - filled)}]`;
}

/** The short form of a task id people type: its first 8 characters. */
export function shortId(taskId: string): string {
  return taskId.slice(0, 8);
}

/** `S01E02`, `S01E02E03` for a double episode. */
export function episodeCode(season: number, episodes: readonly number[]): string {
  return `S${pad(season)}${episodes.map((episode) => `E${pad(episode)}`).join('')}`;
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}
