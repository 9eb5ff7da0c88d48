import { type LoggerService } from '@nestjs/common';
import { type Redis } from 'ioredis';
import { type RedisClient } from './redis-client.js';

/** How a channel's messages are written on the wire and read back; `decode` throws on a bad message. */
export interface ChannelCodec<T> {
  encode(message: T): string;
  decode(text: string): T;
}

/** How soon a failed subscription is tried again, doubling each time up to the last. */
const RETRY_FIRST_MS = 500;
const RETRY_LAST_MS = 5000;

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
 * this process. A message that does not decode is reported and dropped. `live` says whether messages
 * reach this process now; when the connection comes back after a loss, whatever was published
 * meanwhile is gone, so each listener's `onGap` is called once subscribed again. `close` disconnects it.
 */
export class RedisChannel<T> {
  readonly name: string;
  private readonly listeners = new Set<(message: T) => void>();
  private readonly gapListeners = new Set<() => void>();
  private connection?: Redis;
  private subscribed?: Promise<void>;
  /** Subscribed now: published messages reach this process. */
  private receiving = false;
  /**
   * Subscribed once, or failed to: a later 'ready' is a reconnect after a gap (messages published
   * meanwhile, or while the first attempts failed, never arrived).
   */
  private gapPossible = false;
  /** A connection error was reported since the channel was last subscribed: one line per outage. */
  private lossReported = false;
  private retry?: NodeJS.Timeout;
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

  /** True while subscribed: messages published anywhere reach this process's listeners. */
  get live(): boolean {
    return this.receiving;
  }

  /**
   * Calls `listener` with every message from now on, until the returned function is called, and
   * `onGap` each time the subscription is back after a lost connection (messages in between were
   * missed). Resolves once subscribed, or once the first attempt has failed (Redis down: reported,
   * and the channel keeps trying until it is subscribed, so the listener hears everything published
   * after that). Once the channel is closed (the process is stopping) it opens no connection and
   * delivers nothing.
   */
  async subscribe(listener: (message: T) => void, onGap?: () => void): Promise<() => void> {
    if (this.closed) return () => undefined;
    this.listeners.add(listener);
    if (onGap) this.gapListeners.add(onGap);
    await this.connect();
    return () => {
      this.listeners.delete(listener);
      if (onGap) this.gapListeners.delete(onGap);
    };
  }

  /** Stops delivering and disconnects the subscriber connection (if one was opened). */
  close(): void {
    this.closed = true;
    this.receiving = false;
    this.listeners.clear();
    this.gapListeners.clear();
    clearTimeout(this.retry);
    this.connection?.disconnect();
  }

  private connect(): Promise<void> {
    if (this.subscribed) return this.subscribed;
    const connection = this.redis.client.duplicate({ keyPrefix: '' });
    connection.on('message', (_channel: string, text: string) => this.deliver(text));
    connection.on('error', (error: Error) => {
      this.receiving = false;
      if (this.lossReported || this.options.quietErrors) return;
      this.lossReported = true;
      this.options.logger.warn(`pub/sub ${this.name}: ${error.message}`);
    });
    connection.on('close', () => (this.receiving = false));
    // ioredis subscribes again by itself after a reconnect; a second SUBSCRIBE is harmless and says
    // when it took, from which point messages arrive again and what was kept may be stale.
    connection.on('ready', () => {
      if (!this.gapPossible || this.receiving || this.closed) return;
      connection.subscribe(this.name).then(
        () => this.received(),
        () => undefined,
      );
    });
    this.connection = connection;
    this.subscribed = this.trySubscribing(connection, RETRY_FIRST_MS);
    return this.subscribed;
  }

  /**
   * Subscribes, and after a failure tries again later (doubling up to RETRY_LAST_MS) until it is
   * subscribed or closed: ioredis re-subscribes by itself after a reconnect, but only to channels it
   * once was subscribed to. Settles after the first attempt either way.
   */
  private async trySubscribing(connection: Redis, delayMs: number): Promise<void> {
    try {
      await connection.subscribe(this.name);
      this.received();
    } catch (error) {
      if (this.closed) return;
      this.gapPossible = true;
      if (delayMs === RETRY_FIRST_MS && !this.options.quietErrors) {
        const reason = error instanceof Error ? error.message : String(error);
        this.options.logger.warn(`pub/sub ${this.name}: not subscribed yet (${reason}); trying again`);
      }
      this.retry = setTimeout(
        () => void this.trySubscribing(connection, Math.min(delayMs * 2, RETRY_LAST_MS)),
        delayMs,
      ).unref();
    }
  }

  /** Subscribed (again): messages arrive from now on; after a gap, its listeners are told once. */
  private received(): void {
    if (this.closed || this.receiving) return;
    this.receiving = true;
    this.lossReported = false;
    if (this.gapPossible) for (const onGap of this.gapListeners) onGap();
    this.gapPossible = true;
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
