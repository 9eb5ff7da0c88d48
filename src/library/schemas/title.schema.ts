import { Schema, type Types } from 'mongoose';
import { type TitleKind } from '../release-name/parsed-release.js';

export const TITLE_KINDS: readonly TitleKind[] = ['movie', 'series', 'anime', 'manga'];

export interface EpisodeBucket {
  number: number;
  name?: string;
  fileIds: Types.ObjectId[];
}

export interface SeasonBucket {
  number: number;
  episodes: EpisodeBucket[];
}

export interface ExternalIds {
  tmdb?: number;
  mal?: number;
  imdb?: string;
}

/** A file that could not be filed where its name said (e.g. "S01E01" noise on a known movie). */
export interface Mismatch {
  fileId: Types.ObjectId;
  reason: string;
  season?: number;
  episodes?: number[];
  at: Date;
}

/** The last metadata enrichment's outcome, shown to admins. */
export interface TitleEnrichment {
  state: 'matched' | 'no-match' | 'skipped' | 'unavailable';
  provider?: string;
  detail?: string;
  at: Date;
}

/** Ids of the local copies of `poster` and `backdrop` (see library/artwork), set by the artwork job. */
export interface TitleArtwork {
  poster?: string;
  backdrop?: string;
}

/**
 * A catalogue still of one episode (TMDB), found by enrichment; `artwork` is the id of the local copy
 * the artwork job made (pages use that, never `source`). One entry per episode, so bounded by them.
 */
export interface EpisodeStill {
  season: number;
  episode: number;
  source: string;
  artwork?: string;
}

/** Fields an admin may edit; an edited field is locked against later metadata enrichment. */
export const EDITABLE_FIELDS = [
  'name',
  'originalName',
  'aliases',
  'year',
  'overview',
  'genres',
  'poster',
  'backdrop',
  'externalIds',
] as const;
export type EditableField = (typeof EDITABLE_FIELDS)[number];

export interface Title {
  _id: Types.ObjectId;
  kind: TitleKind;
  name: string;
  originalName?: string;
  aliases: string[];
  year?: number;
  overview?: string;
  genres: string[];
  externalIds: ExternalIds;
  poster?: string;
  backdrop?: string;
  /** Local copies of poster and backdrop: pages use these, never the catalogue URLs above. */
  artwork?: TitleArtwork;
  /** Series and anime: the catalogue's episode stills and their local copies. */
  episodeStills?: EpisodeStill[];
  searchTokens: string[];
  /** Series and anime: season → episode → files. */
  seasons: SeasonBucket[];
  /** Movies: the files of the film (several qualities or cuts). */
  fileIds: Types.ObjectId[];
  lockedFields: EditableField[];
  mismatches: Mismatch[];
  enrichment?: TitleEnrichment;
  /** Optimistic-concurrency counter for read-modify-write updates of `seasons`. */
  revision: number;
  createdAt: Date;
  updatedAt: Date;
}

const episodeSchema = new Schema<EpisodeBucket>(
  { number: { type: Number, required: true }, name: String, fileIds: [{ type: Schema.Types.ObjectId }] },
  { _id: false },
);

const seasonSchema = new Schema<SeasonBucket>(
  { number: { type: Number, required: true }, episodes: [episodeSchema] },
  { _id: false },
);

export const titleSchema = new Schema<Title>(
  {
    kind: { type: String, enum: TITLE_KINDS, required: true },
    name: { type: String, required: true },
    originalName: String,
    aliases: { type: [String], default: [] },
    year: Number,
    overview: String,
    genres: { type: [String], default: [] },
    externalIds: {
      tmdb: Number,
      mal: Number,
      imdb: String,
    },
    poster: String,
    backdrop: String,
    artwork: {
      type: new Schema<TitleArtwork>({ poster: String, backdrop: String }, { _id: false }),
      default: undefined,
    },
    episodeStills: {
      type: [
        new Schema<EpisodeStill>(
          {
            season: { type: Number, required: true },
            episode: { type: Number, required: true },
            source: { type: String, required: true },
            artwork: String,
          },
          { _id: false },
        ),
      ],
      default: undefined,
    },
    searchTokens: { type: [String], default: [] },
    seasons: { type: [seasonSchema], default: [] },
    fileIds: { type: [Schema.Types.ObjectId], default: [] },
    lockedFields: { type: [String], default: [] },
    mismatches: {
      type: [
        new Schema<Mismatch>(
          {
            fileId: { type: Schema.Types.ObjectId, required: true },
            reason: { type: String, required: true },
            season: Number,
            episodes: [Number],
            at: { type: Date, required: true },
          },
          { _id: false },
        ),
      ],
      default: [],
    },
    revision: { type: Number, default: 0 },
    enrichment: {
      type: new Schema<TitleEnrichment>(
        {
          state: { type: String, required: true },
          provider: String,
          detail: String,
          at: { type: Date, required: true },
        },
        { _id: false },
      ),
      default: undefined,
    },
  },
  { collection: 'titles', timestamps: true, minimize: false },
);
titleSchema.index({ searchTokens: 1 });
titleSchema.index({ updatedAt: -1 });
titleSchema.index({ kind: 1, year: 1 });
titleSchema.index({ genres: 1 });
