/**
 * A Bot API call that Telegram refused, sorted into what the bot must do about it:
 * - `rate_limited`: wait `retryAfterSeconds` before calling for that chat again (429);
 * - `unreachable`: the chat cannot be written to (user never opened a DM, blocked the bot, left the group);
 * - `not_modified`: an edit with the same content (harmless);
 * - `gone`: the message to edit or delete no longer exists (or may not be deleted);
 * - `other`: anything else.
 */
export type BotApiErrorKind = 'rate_limited' | 'unreachable' | 'not_modified' | 'gone' | 'other';

export class BotApiError extends Error {
  constructor(
    readonly kind: BotApiErrorKind,
    readonly method: string,
    readonly code: number,
    readonly description: string,
    readonly retryAfterSeconds = 0,
  ) {
    super(`${method}: ${code} ${description}`);
    this.name = 'BotApiError';
  }

  static classify(method: string, code: number, description: string, retryAfter?: number): BotApiError {
    const text = description.toLowerCase();
    let kind: BotApiErrorKind = 'other';
    if (code === 429) kind = 'rate_limited';
    else if (text.includes('message is not modified')) kind = 'not_modified';
    else if (code === 403 || text.includes('chat not found') || text.includes('user not found')) {
      kind = 'unreachable';
    } else if (
      text.includes('message to edit not found') ||
      text.includes('message to delete not found') ||
      text.includes("message can't be deleted") ||
      text.includes("message can't be edited")
    ) {
      kind = 'gone';
    }
    return new BotApiError(kind, method, code, description, retryAfter ?? 0);
  }
}

export function isBotApiError(error: unknown, kind?: BotApiErrorKind): error is BotApiError {
  return error instanceof BotApiError && (kind === undefined || error.kind === kind);
}
