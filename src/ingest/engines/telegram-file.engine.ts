import { createWriteStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { type BotConfig } from '../../core/config/app-config.js';
import {
  type FileLocation,
  FileMigrateError,
  FileReferenceExpiredError,
  FloodWaitError,
  type TelegramGateway,
} from '../../core/storage/telegram/telegram-gateway.js';
import { formatBytes } from '../../core/util/format-units.js';
import { type TelegramFileSource } from '../telegram/telegram-file-source.js';
import {
  DownloadFailedError,
  type DownloadProgress,
  type DownloadResult,
  keepAs,
  TooLargeError,
} from './download-engine.js';
import { fitName } from '../items/safe-path.js';

/**
 * The largest file the cloud Bot API lets a bot download with getFile (Telegram: "up to 20 MB";
 * larger files answer "file is too big"). Past it only MTProto, as the same bot, can fetch the file.
 */
export const BOT_API_DOWNLOAD_LIMIT = 20 * 1024 * 1024;

/** MTProto reads: 1 MiB blocks at 1 MiB offsets satisfy every `upload.GetFile` rule. */
const BLOCK = 1024 * 1024;
/** Per block: flood waits, reference refreshes and data-centre moves together. */
const MAX_BLOCK_ATTEMPTS = 6;
/** A flood wait longer than this fails the attempt (the job is retried later) instead of holding it. */
const MAX_FLOOD_WAIT_SECONDS = 120;
const PART_FILE = 'download.part';

export interface TelegramFileDownloadRequest {
  file: TelegramFileSource;
  dir: string;
  signal: AbortSignal;
  maxBytes: number;
  onProgress: (progress: DownloadProgress) => void;
}

/**
 * Files users send to the bot. Within the Bot API's limit: `getFile` and the file URL. Past it: the
 * storage gateway's MTProto session of this same bot (STORAGE=telegram with the bot's token among
 * TELEGRAM_BOT_TOKENS). Deliberately not a `DownloadEngine`: it takes a Telegram file, never a URL,
 * so no link can reach it.
 */
export class TelegramFileEngine {
  readonly name = 'telegram';

  constructor(
    private readonly bot: Pick<BotConfig, 'token' | 'apiRoot'>,
    private readonly gateway: TelegramGateway | null,
  ) {}

  async download(request: TelegramFileDownloadRequest): Promise<DownloadResult> {
    const { file, maxBytes } = request;
    if (!this.bot.token) {
      throw new DownloadFailedError('files sent to the bot need TELEGRAM_BOT_TOKEN on the worker', false);
    }
    if (file.size !== undefined && file.size > maxBytes) throw new TooLargeError(maxBytes, file.size);
    const partPath = join(request.dir, PART_FILE);
    let filePath: string | undefined;
    if (file.size === undefined || file.size <= BOT_API_DOWNLOAD_LIMIT) {
      filePath = await this.botApiFilePath(file, request.signal);
    }
    if (filePath !== undefined) await this.viaBotApi(filePath, partPath, request);
    else await this.viaMtproto(partPath, request);
    const name = localName(file, filePath);
    const path = join(request.dir, name);
    await keepAs(partPath, path, name);
    const size = await sizeOf(path);
    return { path, fileName: name, size };
  }

  /** getFile's `file_path`, or undefined when the Bot API says the file is too big for it. */
  private async botApiFilePath(file: TelegramFileSource, signal: AbortSignal): Promise<string | undefined> {
    const url = `${this.bot.apiRoot}/bot${this.bot.token}/getFile?file_id=${encodeURIComponent(file.fileId)}`;
    let body: { ok: boolean; result?: { file_path?: string }; description?: string };
    try {
      const response = await fetch(url, { signal });
      body = (await response.json()) as typeof body;
    } catch (error) {
      if (signal.aborted) throw error;
      throw new DownloadFailedError(`the Bot API did not answer getFile: ${(error as Error).message}`);
    }
    if (body.ok && body.result?.file_path) return body.result.file_path;
    if (/too big/i.test(body.description ?? '')) return undefined;
    throw new DownloadFailedError(
      `Telegram refused the file: ${body.description ?? 'getFile gave no file path'}`,
      false,
    );
  }

  private async viaBotApi(filePath: string, partPath: string, request: TelegramFileDownloadRequest) {
    const url = `${this.bot.apiRoot}/file/bot${this.bot.token}/${filePath.split('/').map(encodeURIComponent).join('/')}`;
    const response = await fetch(url, { signal: request.signal });
    if (!response.ok || !response.body) {
      await response.body?.cancel();
      throw new DownloadFailedError(`the Bot API file download answered ${response.status}`);
    }
    const length = Number(response.headers.get('content-length'));
    const total = Number.isSafeInteger(length) && length > 0 ? length : request.file.size;
    if (total !== undefined && total > request.maxBytes) {
      await response.body.cancel();
      throw new TooLargeError(request.maxBytes, total);
    }
    let done = 0;
    const meter = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        done += chunk.length;
        if (done > request.maxBytes) return callback(new TooLargeError(request.maxBytes));
        request.onProgress({ bytesDone: done, bytesTotal: total });
        callback(null, chunk);
      },
    });
    await pipeline(Readable.fromWeb(response.body), meter, createWriteStream(partPath), {
      signal: request.signal,
    });
    if (total !== undefined && done < total) {
      throw new DownloadFailedError(`the download ended after ${formatBytes(done)} of ${formatBytes(total)}`);
    }
  }

  /** Block by block through the bot's MTProto session, refreshing the reference or waiting out floods. */
  private async viaMtproto(partPath: string, request: TelegramFileDownloadRequest): Promise<void> {
    const { file, signal } = request;
    const botId = this.bot.token!.split(':')[0];
    const found = this.gateway
      ? await this.gateway.locateBotMessage(botId, { chatId: file.chatId, messageId: file.messageId })
      : undefined;
    if (!found) {
      throw new DownloadFailedError(
        `the file is ${file.size === undefined ? 'too big' : formatBytes(file.size)}, over the ${formatBytes(
          BOT_API_DOWNLOAD_LIMIT,
        )} a bot may download through the Bot API; larger files need STORAGE=telegram with this bot's token in TELEGRAM_BOT_TOKENS`,
        false,
      );
    }
    const gateway = this.gateway!;
    let location: FileLocation = found.location;
    const total = location.size;
    if (total > request.maxBytes) throw new TooLargeError(request.maxBytes, total);
    const output = await open(partPath, 'w');
    try {
      for (let offset = 0; offset < total; offset += BLOCK) {
        let bytes: Buffer | undefined;
        for (let attempt = 1; !bytes; attempt++) {
          signal.throwIfAborted();
          if (attempt > MAX_BLOCK_ATTEMPTS)
            throw new DownloadFailedError(`Telegram kept refusing the block at ${formatBytes(offset)}`);
          try {
            bytes = await gateway.getFileBlock(found.sessionId, location, offset, BLOCK);
          } catch (error) {
            if (error instanceof FloodWaitError && error.seconds <= MAX_FLOOD_WAIT_SECONDS) {
              await sleep(error.seconds * 1000, undefined, { signal });
            } else if (error instanceof FileReferenceExpiredError) {
              const again = await gateway.locateBotMessage(botId, file);
              if (!again) throw error;
              location = again.location;
            } else if (error instanceof FileMigrateError) {
              location = { ...location, dcId: error.dcId };
            } else {
              throw error;
            }
          }
        }
        if (bytes.length === 0) break;
        await output.write(bytes);
        request.onProgress({ bytesDone: Math.min(offset + bytes.length, total), bytesTotal: total });
      }
    } finally {
      await output.close();
    }
    const size = await sizeOf(partPath);
    if (size !== total) {
      throw new DownloadFailedError(`Telegram gave ${formatBytes(size)} of ${formatBytes(total)}`);
    }
  }
}

/** A safe local name: the sender's file name, else the Bot API's path, else the id with the mime's type. */
function localName(file: TelegramFileSource, filePath?: string): string {
  const raw = file.fileName ?? (filePath ? basename(filePath) : undefined) ?? `telegram-${file.fileUniqueId}`;
  let safe = basename(raw.replace(/\\/g, '/'))
    .replace(/\p{Cc}/gu, '')
    .replace(/^\.+/, '')
    .trim();
  if (!safe || safe === PART_FILE) safe = `telegram-${file.fileUniqueId}`;
  if (!extname(safe) && file.mime) {
    const subtype = /^(?:video|audio)\/(?:x-)?([a-z0-9]+)$/i.exec(file.mime)?.[1];
    if (subtype) safe += `.${subtype === 'quicktime' ? 'mov' : subtype.toLowerCase()}`;
  }
  return fitName(safe);
}

async function sizeOf(path: string): Promise<number> {
  return (await stat(path)).size;
}
