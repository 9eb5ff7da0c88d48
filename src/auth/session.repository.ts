import { Injectable } from '@nestjs/common';
import { type Model, type Types } from 'mongoose';
import { MongoConnection } from '../core/database/mongo-connection.js';
import { type Session, sessionSchema } from './schemas/session.schema.js';

@Injectable()
export class SessionRepository {
  private readonly model: Model<Session>;

  constructor(mongo: MongoConnection) {
    this.model = mongo.connection.model<Session>('Session', sessionSchema);
  }

  async insert(session: Session): Promise<void> {
    await this.model.create(session);
  }

  /** The session if it exists, is not revoked and has not expired. */
  findLive(id: string, now = new Date()): Promise<Session | null> {
    return this.model
      .findOne({ _id: id, revokedAt: { $exists: false }, expiresAt: { $gt: now } })
      .lean<Session>()
      .exec();
  }

  /** Live sessions, newest first (for the admin panel). */
  listLive(limit: number, now = new Date()): Promise<Session[]> {
    return this.model
      .find({ revokedAt: { $exists: false }, expiresAt: { $gt: now } })
      .sort({ createdAt: -1 })
      .limit(limit)
      .lean<Session[]>()
      .exec();
  }

  /** A user's live sessions, newest first (the account page; a user holds a handful). */
  listLiveForUser(userId: Types.ObjectId, now = new Date()): Promise<Session[]> {
    return this.model
      .find({ userId, revokedAt: { $exists: false }, expiresAt: { $gt: now } })
      .sort({ createdAt: -1 })
      .limit(200)
      .lean<Session[]>()
      .exec();
  }

  /** Revokes a session of this user only; false when it is not theirs or already ended. */
  async revokeForUser(id: string, userId: Types.ObjectId): Promise<boolean> {
    const result = await this.model.updateOne(
      { _id: id, userId, revokedAt: { $exists: false } },
      { $set: { revokedAt: new Date() } },
    );
    return result.modifiedCount === 1;
  }

  async revoke(id: string): Promise<boolean> {
    const result = await this.model.updateOne(
      { _id: id, revokedAt: { $exists: false } },
      { $set: { revokedAt: new Date() } },
    );
    return result.modifiedCount === 1;
  }

  /** Removes every session of these users (their accounts are being deleted). */
  async deleteForUsers(userIds: readonly Types.ObjectId[]): Promise<void> {
    if (userIds.length > 0) await this.model.deleteMany({ userId: { $in: [...userIds] } });
  }

  /** Removes sessions that expired or were revoked before `cutoff`. */
  async deleteEndedBefore(cutoff: Date): Promise<number> {
    const result = await this.model.deleteMany({
      $or: [{ expiresAt: { $lt: cutoff } }, { revokedAt: { $lt: cutoff } }],
    });
    return result.deletedCount;
  }
}
