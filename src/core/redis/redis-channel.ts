import { type LoggerService } from '@nestjs/common';
import { type Redis } from 'ioredis';
import { type RedisClient } from './redis-client.js';

/** How a channel's messages are written on the wire and read back; `decode` throws on a bad message. */
export interface ChannelCodec<T> {
  encode(message: T): string;
  decode(text: string): T;
}

/** Messages that are plain strings (ids, signals), written as they are. */
export const TEXT_CODEC: ChannelCodec<string> = { encode: (message) => message, decode: (text) => text };

export interface ChannelOptions {
  /** Where bad messages and subscriber connection errors are reported. */
  logger: Pick<LoggerService, 'warn'>;
  /**
   * Leave connection errors unreported: for the live log's own feed, where each report would be a
   * log line for the channel that is failing.
   */
  quietErrors?: boolean;
}

/**
 * One Redis pub/sub channel of this install (`<prefix>:<name...>`). Publishing goes through the shared
 * connection; subscribing opens a connection of the channel's own on first use (a subscribed
 * connection can do nothing else), whose messages are decoded once and passed to every listener of
 * this process. A message that does not decode is reported and dropped. `close` disconnects it.
 */
export class RedisChannel<T> {
  readonly name: string;
  private readonly listeners = new Set<(message: T) => void>();
  private connection?: Redis;
  private subscribed?: Promise<unknown>;
  private closed = false;

  constructor(
    private readonly redis: RedisClient,
    name: readonly string[],
    private readonly codec: ChannelCodec<T>,
    private readonly options: ChannelOptions,
  ) {
    this.name = redis.key(...name);
  }

  async publish(message: T): Promise<void> {
    await this.redis.client.publish(this.name, this.codec.encode(message));
  }

  /**
   * Calls `listener` with every message from now on, until the returned function is called. Once the
   * channel is closed (the process is stopping) it opens no connection and delivers nothing.
   */
  async subscribe(listener: (message: T) => void): Promise<() => void> {
    if (this.closed) return () => undefined;
    await this.connect();
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Stops delivering and disconnects the subscriber connection (if one was opened). */
  close(): void {
    this.closed = true;
    this.listeners.clear();
    this.connection?.disconnect();
  }

  private connect(): Promise<unknown> {
    if (this.subscribed) return this.subscribed;
    const connection = this.redis.client.duplicate({ keyPrefix: '' });
    connection.on('message', (_channel: string, text: string) => this.deliver(text));
    connection.on('error', (error: Error) => {
      if (!this.options.quietErrors) this.options.logger.warn(`pub/sub ${this.name}: ${error.message}`);
    });
    this.connection = connection;
    this.subscribed = connection.subscribe(this.name);
    return this.subscribed;
  }

  private deliver(text: string): void {
    let message: T;
    try {
      message = this.codec.decode(text);
    } catch {
      this.options.logger.warn(`pub/sub ${this.name}: dropped a bad message: ${text.slice(0, 200)}`);
      return;
    }
    for (const listener of this.listeners) listener(message);
  }
}
