import { Injectable } from '@nestjs/common';
import { type Model, Schema } from 'mongoose';
import { MongoConnection } from '../../database/mongo-connection.js';

/** A resolved channel as one session sees it; access hashes differ per account, so per session. */
export interface TelegramPeer {
  _id: string;
  channelId: string;
  accessHash: string;
  updatedAt: Date;
}

const peerSchema = new Schema<TelegramPeer>(
  {
    _id: { type: String, required: true },
    channelId: { type: String, required: true },
    accessHash: { type: String, required: true },
    updatedAt: { type: Date, required: true },
  },
  { collection: 'telegram_peers', versionKey: false },
);

/** Peer state in Mongo rather than a local session file, so any worker or streamer can use it. */
@Injectable()
export class TelegramPeerRepository {
  private readonly model: Model<TelegramPeer>;

  constructor(mongo: MongoConnection) {
    this.model = mongo.connection.model<TelegramPeer>('TelegramPeer', peerSchema);
  }

  find(sessionKey: string, channel: string): Promise<TelegramPeer | null> {
    return this.model.findById(`${sessionKey}:${channel}`).lean<TelegramPeer>().exec();
  }

  async save(sessionKey: string, channel: string, channelId: string, accessHash: string): Promise<void> {
    await this.model.replaceOne(
      { _id: `${sessionKey}:${channel}` },
      { channelId, accessHash, updatedAt: new Date() },
      { upsert: true },
    );
  }
}
