import { Injectable } from '@nestjs/common';
import { type Model, type Types } from 'mongoose';
import { MongoConnection } from '../core/database/mongo-connection.js';
import { type Comment, commentSchema } from './schemas/comment.schema.js';

@Injectable()
export class CommentRepository {
  private readonly model: Model<Comment>;

  constructor(mongo: MongoConnection) {
    this.model = mongo.connection.model<Comment>('Comment', commentSchema);
  }

  async insert(comment: Omit<Comment, '_id'>): Promise<Comment> {
    return (await this.model.create(comment)).toObject<Comment>();
  }

  /** Newest first. */
  listForTitle(titleId: Types.ObjectId, skip: number, limit: number): Promise<Comment[]> {
    return this.model
      .find({ titleId })
      .sort({ createdAt: -1, _id: -1 })
      .skip(skip)
      .limit(limit)
      .lean<Comment[]>()
      .exec();
  }

  countForTitle(titleId: Types.ObjectId): Promise<number> {
    return this.model.countDocuments({ titleId }).exec();
  }

  async delete(titleId: Types.ObjectId, commentId: Types.ObjectId): Promise<boolean> {
    return (await this.model.deleteOne({ _id: commentId, titleId })).deletedCount === 1;
  }

  async deleteForTitle(titleId: Types.ObjectId): Promise<void> {
    await this.model.deleteMany({ titleId });
  }
}
