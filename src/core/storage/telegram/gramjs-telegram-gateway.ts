import { stat } from 'node:fs/promises';
import { Logger } from '@nestjs/common';
import bigInt from 'big-integer';
import { Api, errors, TelegramClient } from 'telegram';
import { CustomFile } from 'telegram/client/uploads.js';
import { StringSession } from 'telegram/sessions/index.js';
import { type AppConfig } from '../../config/app-config.js';
import { buildGetFileRequest, locationOf } from './gramjs-requests.js';
import {
  type ChatMessageRef,
  type FileLocation,
  FileMigrateError,
  FileReferenceExpiredError,
  FloodWaitError,
  type MessageRef,
  MessageMissingError,
  type TelegramGateway,
} from './telegram-gateway.js';
import { type TelegramPeerRepository } from './telegram-peer.repository.js';

interface Session {
  id: string;
  client: TelegramClient;
  connecting?: Promise<void>;
  bot?: string;
}

/**
 * The one place gramjs is used. Each user session (TELEGRAM_SESSIONS) and bot (TELEGRAM_BOT_TOKENS)
 * is a client; connections open on first use. gramjs errors become the gateway's typed errors.
 */
export class GramjsTelegramGateway implements TelegramGateway {
  private readonly logger = new Logger('telegram');
  private readonly sessions = new Map<string, Session>();
  readonly sessionIds: readonly string[];

  constructor(
    private readonly config: AppConfig['telegram'],
    private readonly peers: TelegramPeerRepository,
  ) {
    const { apiId, apiHash } = config;
    if (!apiId || !apiHash)
      throw new Error('TELEGRAM_API_ID and TELEGRAM_API_HASH are required for STORAGE=telegram');
    const options = { connectionRetries: 5, autoReconnect: true, useWSS: false };
    config.sessions.forEach((session, index) => {
      const id = `user-${index + 1}`;
      this.sessions.set(id, {
        id,
        client: new TelegramClient(new StringSession(session), apiId, apiHash, options),
      });
    });
    config.botTokens.forEach((token, index) => {
      const id = `bot-${index + 1}`;
      const client = new TelegramClient(new StringSession(''), apiId, apiHash, options);
      this.sessions.set(id, { id, client, bot: token });
    });
    this.sessionIds = [...this.sessions.keys()];
  }

  async getFileBlock(
    sessionId: string,
    location: FileLocation,
    offset: number,
    limit: number,
  ): Promise<Buffer> {
    const client = await this.client(sessionId);
    const result = await this.call(() =>
      client.invoke(buildGetFileRequest(location, offset, limit), location.dcId),
    );
    if (result instanceof Api.upload.File) return Buffer.from(result.bytes);
    throw new Error('Telegram answered with a CDN redirect, which we do not request');
  }

  async getLocation(sessionId: string, message: MessageRef): Promise<FileLocation> {
    const client = await this.client(sessionId);
    const peer = await this.peerOf(sessionId, client, message);
    const [found] = await this.call(() => client.getMessages(peer, { ids: [message.messageId] }));
    const media = found?.media;
    if (!(media instanceof Api.MessageMediaDocument) || !(media.document instanceof Api.Document)) {
      throw new MessageMissingError(`message ${message.messageId} has no document`);
    }
    return locationOf(media.document);
  }

  async uploadFile(
    sessionId: string,
    path: string,
    fileName: string,
  ): Promise<{ message: MessageRef; size: number }> {
    const client = await this.client(sessionId);
    const peer = await this.channel(sessionId, client);
    const size = (await stat(path)).size;
    const sent = await this.call(() =>
      client.sendFile(peer, {
        file: new CustomFile(fileName, size, path),
        forceDocument: true,
        workers: 4,
        attributes: [new Api.DocumentAttributeFilename({ fileName })],
      }),
    );
    return { message: { channelId: this.channelIdOf(peer), messageId: sent.id }, size };
  }

  async deleteMessage(sessionId: string, message: MessageRef): Promise<void> {
    const client = await this.client(sessionId);
    const peer = await this.peerOf(sessionId, client, message);
    await this.call(() => client.deleteMessages(peer, [message.messageId], { revoke: true }));
  }

  async locateBotMessage(
    botId: string,
    message: ChatMessageRef,
  ): Promise<{ sessionId: string; location: FileLocation } | undefined> {
    const session = [...this.sessions.values()].find((s) => s.bot?.split(':')[0] === botId);
    if (!session) return undefined;
    const client = await this.client(session.id);
    // A bot resolves a chat it is in from the bare id (gramjs asks with access hash 0, which bots may).
    const [found] = await this.call(() => client.getMessages(message.chatId, { ids: [message.messageId] }));
    const media = found?.media;
    if (!(media instanceof Api.MessageMediaDocument) || !(media.document instanceof Api.Document)) {
      throw new MessageMissingError(`message ${message.messageId} in chat ${message.chatId} has no document`);
    }
    return { sessionId: session.id, location: locationOf(media.document) };
  }

  private async client(sessionId: string): Promise<TelegramClient> {
    const session = this.sessions.get(sessionId);
    if (!session) throw new Error(`unknown Telegram session ${sessionId}`);
    session.connecting ??= (async () => {
      if (session.bot) await session.client.start({ botAuthToken: session.bot });
      else await session.client.connect();
      this.logger.log(`session ${sessionId} connected`);
    })();
    try {
      await session.connecting;
    } catch (error) {
      session.connecting = undefined;
      throw error;
    }
    return session.client;
  }

  /** The storage channel as this session sees it, resolved once and then kept in Mongo. */
  private async channel(sessionId: string, client: TelegramClient): Promise<Api.InputPeerChannel> {
    const channel = this.config.storageChannel!;
    const saved = await this.peers.find(sessionId, channel);
    if (saved)
      return new Api.InputPeerChannel({
        channelId: bigInt(saved.channelId),
        accessHash: bigInt(saved.accessHash),
      });
    const entity = await this.call(() => client.getInputEntity(channel));
    if (!(entity instanceof Api.InputPeerChannel)) throw new Error(`${channel} is not a channel`);
    await this.peers.save(sessionId, channel, entity.channelId.toString(), entity.accessHash.toString());
    return entity;
  }

  /**
   * The channel a stored message is in: the storage channel with its access hash (a user session
   * needs it: with a bare channel id a fresh process is answered CHANNEL_INVALID), or, for a message
   * stored before TELEGRAM_STORAGE_CHANNEL changed, its own channel by id.
   */
  private async peerOf(
    sessionId: string,
    client: TelegramClient,
    message: MessageRef,
  ): Promise<Api.InputPeerChannel | Api.PeerChannel> {
    const storage = await this.channel(sessionId, client);
    return this.channelIdOf(storage) === message.channelId
      ? storage
      : this.channelPeerFromId(message.channelId);
  }

  private channelIdOf(peer: Api.InputPeerChannel): string {
    return `-100${peer.channelId.toString()}`;
  }

  private channelPeerFromId(channelId: string): Api.PeerChannel {
    return new Api.PeerChannel({ channelId: bigInt(channelId.replace(/^-100/, '')) });
  }

  private async call<T>(request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (error) {
      throw gatewayErrorOf(error);
    }
  }
}

/**
 * gramjs's RPC errors as the gateway's. CHANNEL_INVALID stays an error: the session cannot reach the
 * channel (no access hash, not a member), which says nothing about whether the message is gone.
 */
export function gatewayErrorOf(error: unknown): unknown {
  if (error instanceof errors.FloodWaitError) return new FloodWaitError(error.seconds);
  if (error instanceof errors.FileMigrateError) return new FileMigrateError(error.newDc);
  const message = (error as { errorMessage?: string } | undefined)?.errorMessage;
  if (message === 'FILE_REFERENCE_EXPIRED') return new FileReferenceExpiredError();
  if (message === 'MESSAGE_ID_INVALID') return new MessageMissingError(message);
  return error;
}
