import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import mongoose, { type Connection } from 'mongoose';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';

const RETRY_DELAYS_MS = [500, 1000, 2000, 5000];

/**
 * Owns the mongoose connection. A database that is down at boot does not stop the app: it keeps
 * retrying, logs why, and /healthz reports `mongo: down` until it answers.
 */
@Injectable()
export class MongoConnection implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('mongo');
  readonly connection: Connection;
  private closing = false;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.connection = mongoose.createConnection();
    this.connection.on('disconnected', () => {
      if (!this.closing) this.logger.warn('lost the connection to MongoDB; the driver is reconnecting');
    });
    this.connection.on('reconnected', () => this.logger.log('reconnected to MongoDB'));
  }

  /** Boot waits for the first attempt (a few seconds at most) so a healthy install is healthy at once. */
  async onModuleInit(): Promise<void> {
    if (!(await this.tryConnect(0))) void this.keepTrying();
  }

  private async keepTrying(): Promise<void> {
    for (let attempt = 1; !this.closing; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, retryDelay(attempt - 1)));
      if (this.closing || (await this.tryConnect(attempt))) return;
    }
  }

  private async tryConnect(attempt: number): Promise<boolean> {
    try {
      await this.connection.openUri(this.config.mongo.uri, {
        serverSelectionTimeoutMS: 3000,
        connectTimeoutMS: 3000,
        heartbeatFrequencyMS: 2000,
      });
      this.logger.log(`connected to MongoDB database "${this.connection.name}"`);
      return true;
    } catch (error) {
      if (!this.closing) {
        this.logger.error(
          `cannot reach MongoDB (${firstLine(error)}); retrying in ${retryDelay(attempt)} ms`,
        );
      }
      return false;
    }
  }

  /** Round-trips a ping; rejects when the server does not answer. */
  async ping(): Promise<void> {
    const db = this.connection.db;
    if (!db || this.connection.readyState !== mongoose.ConnectionStates.connected) {
      throw new Error('not connected');
    }
    await db.command({ ping: 1 });
  }

  async onApplicationShutdown(): Promise<void> {
    this.closing = true;
    await this.connection.close(true);
  }
}

function retryDelay(attempt: number): number {
  return RETRY_DELAYS_MS[Math.min(attempt, RETRY_DELAYS_MS.length - 1)];
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0];
}

/** MongoDB's duplicate-key error, raised by both MongoDB and FerretDB when a unique key is taken. */
export function isDuplicateKeyError(error: unknown): boolean {
  return (error as { code?: unknown })?.code === 11000;
}
