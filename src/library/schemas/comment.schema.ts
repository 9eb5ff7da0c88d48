import { Schema, type Types } from 'mongoose';

/** A viewer's comment. Stored as typed; escaped wherever it is rendered as HTML. */
export interface Comment {
  _id: Types.ObjectId;
  titleId: Types.ObjectId;
  /** The franchise tenant whose site it was written on; absent: the default site. */
  tenantId?: string;
  authorId: string;
  authorName: string;
  body: string;
  createdAt: Date;
}

export const commentSchema = new Schema<Comment>(
  {
    titleId: { type: Schema.Types.ObjectId, required: true },
    tenantId: String,
    authorId: { type: String, required: true },
    authorName: { type: String, required: true },
    body: { type: String, required: true, maxlength: 2000 },
    createdAt: { type: Date, required: true },
  },
  { collection: 'comments', versionKey: false },
);
commentSchema.index({ titleId: 1, createdAt: -1 });
