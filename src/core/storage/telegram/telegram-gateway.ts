/**
 * The only door to Telegram. `GramjsTelegramGateway` implements it with gramjs (the one file importing
 * `telegram`); tests use a simulator enforcing Telegram's rules. Everything here is plain data so the
 * engine never sees gramjs types.
 */

/** A stored part: a document message in the storage channel. */
export interface MessageRef {
  channelId: string;
  messageId: number;
}

/** What `upload.GetFile` needs to read a document; `fileReference` expires and must be refreshed. */
export interface FileLocation {
  dcId: number;
  id: string;
  accessHash: string;
  /** base64 of Telegram's opaque file reference bytes. */
  fileReference: string;
  size: number;
}

/** A message in any chat, by its Bot API chat id (`-100…` for channels and supergroups). */
export interface ChatMessageRef {
  chatId: number;
  messageId: number;
}

export interface TelegramGateway {
  /** The client sessions (user sessions and bots) reads can be spread over. */
  readonly sessionIds: readonly string[];
  /** One `upload.GetFile` call: `limit` bytes at `offset` (fewer at the end of the file). */
  getFileBlock(sessionId: string, location: FileLocation, offset: number, limit: number): Promise<Buffer>;
  /** Fetches the message again, which also yields a fresh file reference. */
  getLocation(sessionId: string, message: MessageRef): Promise<FileLocation>;
  /** Uploads a file (big-file parts) as a document message in the storage channel. */
  uploadFile(
    sessionId: string,
    path: string,
    fileName: string,
  ): Promise<{ message: MessageRef; size: number }>;
  deleteMessage(sessionId: string, message: MessageRef): Promise<void>;
  /**
   * The document of a message a user sent to a bot, read through that bot's own session: only the bot
   * that received it can see it. Undefined when none of this gateway's sessions is that bot.
   */
  locateBotMessage(
    botId: string,
    message: ChatMessageRef,
  ): Promise<{ sessionId: string; location: FileLocation } | undefined>;
}

export const TELEGRAM_GATEWAY = Symbol('TELEGRAM_GATEWAY');

/** FLOOD_WAIT_n: this session must not call again for `seconds`. */
export class FloodWaitError extends Error {
  override name = 'FloodWaitError';
  constructor(readonly seconds: number) {
    super(`FLOOD_WAIT_${seconds}`);
  }
}

/** FILE_REFERENCE_EXPIRED: refetch the message to get a fresh reference. */
export class FileReferenceExpiredError extends Error {
  override name = 'FileReferenceExpiredError';
  constructor() {
    super('FILE_REFERENCE_EXPIRED');
  }
}

/** FILE_MIGRATE_n: the file lives on another data centre. */
export class FileMigrateError extends Error {
  override name = 'FileMigrateError';
  constructor(readonly dcId: number) {
    super(`FILE_MIGRATE_${dcId}`);
  }
}

/** The message is gone from the channel. */
export class MessageMissingError extends Error {
  override name = 'MessageMissingError';
}

export function formatMessageRef(message: MessageRef): string {
  return `tg:${message.channelId}:${message.messageId}`;
}

export function parseMessageRef(ref: string): MessageRef | undefined {
  const match = /^tg:(-?\d+):(\d+)$/.exec(ref);
  return match ? { channelId: match[1], messageId: Number(match[2]) } : undefined;
}
