import { Injectable } from '@nestjs/common';
import { type Types } from 'mongoose';
import { AppError } from '../core/errors/app-error.js';
import { type Identity } from '../core/identity/identity.js';
import { CommentRepository } from './comment.repository.js';
import { type Comment } from './schemas/comment.schema.js';
import { TitleRepository } from './title.repository.js';

export interface CommentView {
  id: string;
  titleId: string;
  author: { id: string; name: string };
  body: string;
  createdAt: Date;
}

@Injectable()
export class CommentService {
  constructor(
    private readonly comments: CommentRepository,
    private readonly titles: TitleRepository,
  ) {}

  async add(titleId: Types.ObjectId, author: Identity, body: string): Promise<CommentView> {
    const text = body.trim();
    if (text.length === 0) throw new AppError(400, 'bad_request', 'A comment cannot be empty.');
    await this.requireTitle(titleId);
    const comment = await this.comments.insert({
      titleId,
      authorId: author.id,
      authorName: author.name,
      body: text,
      createdAt: new Date(),
    });
    return toView(comment);
  }

  async list(titleId: Types.ObjectId, page: number, pageSize: number) {
    await this.requireTitle(titleId);
    return this.listOfKnownTitle(titleId, page, pageSize);
  }

  /**
   * The same page for a title the caller reads itself (the title page reads it alongside): no second
   * lookup of the title here. An unknown title simply has no comments.
   */
  async listOfKnownTitle(titleId: Types.ObjectId, page: number, pageSize: number) {
    const skip = (page - 1) * pageSize;
    // One more than the page: when it does not come, the page itself says the total (most titles:
    // one query instead of a list and a count).
    const rows = await this.comments.listForTitle(titleId, skip, pageSize + 1);
    const ended = rows.length <= pageSize && (rows.length > 0 || skip === 0);
    const total = ended ? skip + rows.length : await this.comments.countForTitle(titleId);
    return { items: rows.slice(0, pageSize).map(toView), page, pageSize, total };
  }

  async delete(titleId: Types.ObjectId, commentId: Types.ObjectId): Promise<void> {
    if (!(await this.comments.delete(titleId, commentId))) {
      throw new AppError(404, 'not_found', `No comment ${String(commentId)} on title ${String(titleId)}.`);
    }
  }

  private async requireTitle(titleId: Types.ObjectId): Promise<void> {
    if (!(await this.titles.findById(titleId)))
      throw new AppError(404, 'not_found', `No title with id ${String(titleId)}.`);
  }
}

function toView(comment: Comment): CommentView {
  return {
    id: String(comment._id),
    titleId: String(comment.titleId),
    author: { id: comment.authorId, name: comment.authorName },
    body: comment.body,
    createdAt: comment.createdAt,
  };
}
