import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import {
  type ChatMessageRef,
  type FileLocation,
  FileReferenceExpiredError,
  FloodWaitError,
  type MessageRef,
  MessageMissingError,
  type TelegramGateway,
} from '../../src/core/storage/telegram/telegram-gateway.js';

const MiB = 1024 * 1024;
const CHANNEL = '-1001234567890';

/** Telegram's own answer to a request breaking its rules (the engine must never trigger these). */
export class TelegramRuleViolation extends Error {}

export interface SimulatorOptions {
  sessions?: string[];
  /** Round-trip time added to every request, ms. */
  latencyMs?: number;
  /** Bytes per second per session (0 = unlimited). */
  bandwidthPerSession?: number;
  /** Largest file one upload accepts (Telegram: 2000 MiB for users, 4000 with Premium). */
  uploadLimit?: number;
}

export interface GetFileCall {
  session: string;
  messageId: number;
  offset: number;
  limit: number;
  at: number;
}

interface StoredDocument {
  bytes: Buffer;
  id: string;
  fileReference: string;
}

/**
 * An in-memory Telegram that enforces the rules `upload.GetFile` enforces: `offset % 4096 == 0`,
 * `limit % 4096 == 0`, `1048576 % limit == 0`, no request crossing a 1 MiB boundary (else
 * LIMIT_INVALID / OFFSET_INVALID), with per-request latency, per-session bandwidth, and injectable
 * FLOOD_WAIT and FILE_REFERENCE_EXPIRED.
 */
export class TelegramSimulator implements TelegramGateway {
  /** Shared by all instances: simulators in one test must not hand out the same message ids. */
  private static nextMessageId = 100;
  readonly sessionIds: readonly string[];
  readonly calls: GetFileCall[] = [];
  readonly violations: string[] = [];
  /** Every messages.getMessages (a location lookup or a file reference refresh). */
  readonly locationCalls: { session: string; messageId: number }[] = [];
  /** Every upload, by the session it was sent on. */
  readonly uploads: { session: string }[] = [];
  private readonly documents = new Map<number, StoredDocument>();
  /** Documents users sent to bots, by `botId:chatId:messageId`. */
  private readonly botInboxes = new Map<string, StoredDocument>();
  private readonly floodUntil = new Map<string, number>();
  private readonly floodNext = new Map<string, number>();
  private readonly busyUntil = new Map<string, number>();
  private readonly shortBlocks = new Map<string, number>();
  inFlight = 0;
  maxInFlight = 0;

  constructor(private readonly options: SimulatorOptions = {}) {
    this.sessionIds = options.sessions ?? ['session-a', 'session-b'];
  }

  /** The next request on `session` answers FLOOD_WAIT_`seconds`, and so does every one until it ends. */
  floodWait(session: string, seconds: number): void {
    this.floodNext.set(session, seconds);
  }

  /** The next GetFile of `messageId` at `offset` answers only its first `length` bytes. */
  shortenBlock(messageId: number, offset: number, length: number): void {
    this.shortBlocks.set(`${messageId}:${offset}`, length);
  }

  /** Invalidates the file reference of a message, as Telegram does every few hours. */
  expireReference(messageId: number): void {
    const document = this.documents.get(messageId);
    if (document) document.fileReference = randomBytes(8).toString('base64');
  }

  /** A user sends `bytes` as a document to the bot `botId` (which must be one of `sessions` as `bot:<id>`). */
  sendToBot(botId: string, message: ChatMessageRef, bytes: Buffer): void {
    this.botInboxes.set(`${botId}:${message.chatId}:${message.messageId}`, {
      bytes,
      id: String(7_000_000_000 + TelegramSimulator.nextMessageId++),
      fileReference: randomBytes(8).toString('base64'),
    });
  }

  async locateBotMessage(
    botId: string,
    message: ChatMessageRef,
  ): Promise<{ sessionId: string; location: FileLocation } | undefined> {
    const sessionId = this.sessionIds.find((id) => id === `bot:${botId}`);
    if (!sessionId) return undefined;
    await this.delay(sessionId, 0);
    const document = this.botInboxes.get(`${botId}:${message.chatId}:${message.messageId}`);
    if (!document) throw new MessageMissingError(`message ${message.messageId} not found`);
    return { sessionId, location: locationFor(document) };
  }

  async getFileBlock(
    sessionId: string,
    location: FileLocation,
    offset: number,
    limit: number,
  ): Promise<Buffer> {
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      const document = [
        ...this.documents.entries(),
        ...[...this.botInboxes.values()].map((d) => [-1, d] as const),
      ].find(([, d]) => d.id === location.id);
      this.calls.push({ session: sessionId, messageId: document?.[0] ?? -1, offset, limit, at: Date.now() });
      // Telegram decides when the request arrives and answers after the round trip, refusals included.
      const refusal = this.ruleViolation(offset, limit) ?? this.floodRefusal(sessionId);
      await this.delay(
        sessionId,
        refusal ? 0 : Math.min(limit, Math.max(0, (document?.[1].bytes.length ?? 0) - offset)),
      );
      if (refusal) throw refusal;
      if (!document) throw new MessageMissingError(`no document ${location.id}`);
      if (document[1].fileReference !== location.fileReference) throw new FileReferenceExpiredError();
      const short = this.shortBlocks.get(`${document[0]}:${offset}`);
      this.shortBlocks.delete(`${document[0]}:${offset}`);
      return Buffer.from(document[1].bytes.subarray(offset, offset + Math.min(limit, short ?? limit)));
    } finally {
      this.inFlight--;
    }
  }

  async getLocation(sessionId: string, message: MessageRef): Promise<FileLocation> {
    this.locationCalls.push({ session: sessionId, messageId: message.messageId });
    const refusal = this.floodRefusal(sessionId);
    await this.delay(sessionId, 0);
    if (refusal) throw refusal;
    const document = this.documents.get(message.messageId);
    if (!document || message.channelId !== CHANNEL)
      throw new MessageMissingError(`message ${message.messageId} not found`);
    return locationFor(document);
  }

  async uploadFile(sessionId: string, path: string): Promise<{ message: MessageRef; size: number }> {
    const bytes = await readFile(path);
    if (bytes.length > (this.options.uploadLimit ?? 2000 * MiB)) throw new Error('FILE_PARTS_INVALID');
    this.uploads.push({ session: sessionId });
    const refusal = this.floodRefusal(sessionId);
    await this.delay(sessionId, 0);
    if (refusal) throw refusal;
    const messageId = TelegramSimulator.nextMessageId++;
    this.documents.set(messageId, {
      bytes,
      id: String(5_000_000_000 + messageId),
      fileReference: randomBytes(8).toString('base64'),
    });
    return { message: { channelId: CHANNEL, messageId }, size: bytes.length };
  }

  async deleteMessage(_sessionId: string, message: MessageRef): Promise<void> {
    this.documents.delete(message.messageId);
  }

  callsSince(index: number): GetFileCall[] {
    return this.calls.slice(index);
  }

  private ruleViolation(offset: number, limit: number): TelegramRuleViolation | undefined {
    let problem: string | undefined;
    if (offset % 4096 !== 0) problem = `OFFSET_INVALID (offset ${offset})`;
    else if (limit <= 0 || limit % 4096 !== 0 || MiB % limit !== 0)
      problem = `LIMIT_INVALID (limit ${limit})`;
    else if (Math.floor(offset / MiB) !== Math.floor((offset + limit - 1) / MiB)) {
      problem = `LIMIT_INVALID (offset ${offset} + limit ${limit} crosses a 1 MiB boundary)`;
    }
    if (!problem) return undefined;
    this.violations.push(problem);
    return new TelegramRuleViolation(problem);
  }

  private floodRefusal(session: string): FloodWaitError | undefined {
    const next = this.floodNext.get(session);
    if (next !== undefined) {
      this.floodNext.delete(session);
      this.floodUntil.set(session, Date.now() + next * 1000);
    }
    const until = this.floodUntil.get(session) ?? 0;
    return until > Date.now() ? new FloodWaitError(Math.ceil((until - Date.now()) / 1000)) : undefined;
  }

  /** Latency for every request; bandwidth shared by the requests of one session, served in turn. */
  private async delay(session: string, bytes: number): Promise<void> {
    const bandwidth = this.options.bandwidthPerSession ?? 0;
    let wait = this.options.latencyMs ?? 0;
    if (bandwidth > 0 && bytes > 0) {
      const start = Math.max(Date.now(), this.busyUntil.get(session) ?? 0);
      const done = start + (bytes / bandwidth) * 1000;
      this.busyUntil.set(session, done);
      wait += done - Date.now();
    }
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  }
}

function locationFor(document: StoredDocument): FileLocation {
  return {
    dcId: 4,
    id: document.id,
    accessHash: '777',
    fileReference: document.fileReference,
    size: document.bytes.length,
  };
}
