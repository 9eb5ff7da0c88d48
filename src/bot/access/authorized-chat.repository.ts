import { Injectable } from '@nestjs/common';
import { type Model, Schema } from 'mongoose';
import { MongoConnection } from '../../core/database/mongo-connection.js';

/** A chat an admin allowed from the panel, on top of BOT_AUTHORIZED_CHATS. */
export interface AuthorizedChat {
  _id: number;
  label: string;
  addedBy: string;
  addedAt: Date;
}

const authorizedChatSchema = new Schema<AuthorizedChat>(
  {
    _id: { type: Number, required: true },
    label: { type: String, default: '' },
    addedBy: { type: String, required: true },
    addedAt: { type: Date, required: true },
  },
  { collection: 'bot_authorized_chats', versionKey: false },
);

@Injectable()
export class AuthorizedChatRepository {
  private readonly model: Model<AuthorizedChat>;

  constructor(mongo: MongoConnection) {
    this.model = mongo.connection.model<AuthorizedChat>('AuthorizedChat', authorizedChatSchema);
  }

  list(): Promise<AuthorizedChat[]> {
    return this.model.find().sort({ addedAt: 1 }).lean<AuthorizedChat[]>().exec();
  }

  async has(chatId: number): Promise<boolean> {
    return (await this.model.countDocuments({ _id: chatId }).exec()) > 0;
  }

  /** Adding a chat that is already there updates its label. */
  async add(chatId: number, label: string, addedBy: string): Promise<void> {
    await this.model.updateOne(
      { _id: chatId },
      { $set: { label }, $setOnInsert: { addedBy, addedAt: new Date() } },
      { upsert: true },
    );
  }

  async remove(chatId: number): Promise<boolean> {
    return (await this.model.deleteOne({ _id: chatId })).deletedCount > 0;
  }
}
