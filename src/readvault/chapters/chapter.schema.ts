import { Schema, type Types } from 'mongoose';
import { type ChapterLinkTypes } from './chapter-link-types.js';

/** One page as stored in the chapter's CBZ (its entry name), with its size in pixels. */
export interface PageInfo {
  name: string;
  width: number;
  height: number;
  /** Where its bytes start in the CBZ and how many (chapters filed before this was kept lack them). */
  offset?: number;
  size?: number;
}

/**
 * A chapter (or a volume read as one file): its CBZ in the MediaStore and its pages. `_id` is the
 * natural key `<seriesId>:v<volume>:c<number>` (or the file when the name gives no number), so filing
 * the same chapter twice — a retried task, two workers — finds the one record.
 */
export interface Chapter {
  _id: string;
  seriesId: Types.ObjectId;
  volume?: number;
  number?: number;
  title?: string;
  fileId: Types.ObjectId;
  pages: PageInfo[];
  /** How the pages came: cbz, cbr, cb7, tar, pdf or folder. */
  sourceFormat: string;
  language?: string;
  rightToLeft: boolean;
  createdAt: Date;
}

/** A series' reading data kept beside its library title (kind `manga`): its chapters, in order, and ComicInfo's details. */
export interface ComicSeries {
  /** The library title's id. */
  _id: Types.ObjectId;
  chapters: {
    id: string;
    volume?: number;
    number?: number;
    title?: string;
    pageCount: number;
    /**
     * The types of its feed links, so a feed lists the series without reading each chapter; entries
     * filed before they were kept lack them until ChapterLinksBackfill fills them in.
     */
    links?: ChapterLinkTypes;
  }[];
  writer?: string;
  penciller?: string;
  summary?: string;
  genres: string[];
  language?: string;
  rightToLeft: boolean;
  /** The page an admin chose as the series' cover (else the first chapter's first page). */
  cover?: { chapterId: string; page: number };
  updatedAt: Date;
}

const pageSchema = new Schema<PageInfo>(
  { name: { type: String, required: true }, width: Number, height: Number, offset: Number, size: Number },
  { _id: false },
);

export const chapterSchema = new Schema<Chapter>(
  {
    _id: { type: String, required: true },
    seriesId: { type: Schema.Types.ObjectId, required: true },
    volume: Number,
    number: Number,
    title: String,
    fileId: { type: Schema.Types.ObjectId, required: true },
    pages: { type: [pageSchema], default: [] },
    sourceFormat: { type: String, required: true },
    language: String,
    rightToLeft: { type: Boolean, default: false },
    createdAt: { type: Date, required: true },
  },
  { collection: 'chapters', versionKey: false },
);

export const comicSeriesSchema = new Schema<ComicSeries>(
  {
    chapters: {
      type: [
        new Schema(
          {
            id: String,
            volume: Number,
            number: Number,
            title: String,
            pageCount: Number,
            links: new Schema({ image: String, thumbnail: String, pse: String }, { _id: false }),
          },
          { _id: false },
        ),
      ],
      default: [],
    },
    writer: String,
    penciller: String,
    summary: String,
    genres: { type: [String], default: [] },
    language: String,
    rightToLeft: { type: Boolean, default: false },
    cover: new Schema({ chapterId: String, page: Number }, { _id: false }),
    updatedAt: { type: Date, required: true },
  },
  { collection: 'comic_series', versionKey: false },
);
