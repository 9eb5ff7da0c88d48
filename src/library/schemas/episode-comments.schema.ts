import { Schema, type Types } from 'mongoose';

/** One comment on an episode. Stored as typed; escaped wherever it is rendered as HTML. */
export interface EpisodeComment {
  _id: Types.ObjectId;
  authorId: string;
  authorName: string;
  body: string;
  createdAt: Date;
}

/**
 * The comments of one episode, newest first, in one document keyed `<titleId>:<season>:<episode>`:
 * reading them is an `_id` lookup (FerretDB scans a collection for any other filter), and the list is
 * bounded (the oldest drop off past EPISODE_COMMENTS_KEPT).
 */
export interface EpisodeCommentThread {
  _id: string;
  titleId: Types.ObjectId;
  season: number;
  episode: number;
  comments: EpisodeComment[];
  updatedAt: Date;
}

export const EPISODE_COMMENTS_KEPT = 500;

export const episodeCommentThreadSchema = new Schema<EpisodeCommentThread>(
  {
    _id: { type: String, required: true },
    titleId: { type: Schema.Types.ObjectId, required: true },
    season: { type: Number, required: true },
    episode: { type: Number, required: true },
    comments: {
      type: [
        new Schema<EpisodeComment>(
          {
            _id: { type: Schema.Types.ObjectId, required: true },
            authorId: { type: String, required: true },
            authorName: { type: String, required: true },
            body: { type: String, required: true, maxlength: 2000 },
            createdAt: { type: Date, required: true },
          },
          { _id: false },
        ),
      ],
      default: [],
    },
    updatedAt: { type: Date, required: true },
  },
  { collection: 'episode_comments', versionKey: false, minimize: false },
);
