/**
 * A file a user sent or forwarded to the bot: what the worker needs to fetch it back from Telegram,
 * through the Bot API (`fileId`) or, past the Bot API's download limit, through MTProto as the bot
 * (the message in `chatId`).
 */
export interface TelegramFileSource {
  fileId: string;
  /** The same for every copy of the file (forwards, re-sends): what duplicate detection compares. */
  fileUniqueId: string;
  size?: number;
  fileName?: string;
  mime?: string;
  chatId: number;
  messageId: number;
}

/** Duplicate-detection key of a Telegram file; never a valid URL submission's key. */
export function telegramSourceKey(file: Pick<TelegramFileSource, 'fileUniqueId'>): string {
  return `tg-file:${file.fileUniqueId}`;
}

/** The task's `source` text: a `tg:` address whose last segment is the file name (for status lines). */
export function telegramSourceText(file: TelegramFileSource): string {
  const name = file.fileName ?? file.fileUniqueId;
  return `tg://file/${encodeURIComponent(file.fileUniqueId)}/${encodeURIComponent(name)}`;
}
