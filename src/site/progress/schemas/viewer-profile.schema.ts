import { Schema } from 'mongoose';
import { type ContinueEntry } from '../watch-state.js';

/** What one identity chose and finished in one title. */
export interface TitleChoice {
  titleId: string;
  audioTrack?: string;
  subtitleTrack?: string;
  /** Files watched to the mark at least once (marks stay when a file is watched again). */
  watched: string[];
  updatedAt: Date;
}

/**
 * Everything the site reads per identity in one `_id` lookup: the continue-watching list, per-title
 * track choices and watched marks, and the files it has progress for (so merging a guest into an
 * account and sweeping an abandoned guest are `_id` lookups too, never a scan of `progress`).
 */
export interface ViewerProfile {
  _id: string;
  guest: boolean;
  continue: ContinueEntry[];
  /** The titles played most recently (`profile-limits.ts` caps them). */
  titles: TitleChoice[];
  /** Item keys with progress, the one played last at the end (capped there too, the oldest going). */
  files: string[];
  /**
   * A guest that signed in: the account its progress moved to. The profile stays, empty, as a pointer
   * (stamped at adoption, never written again) for saves that were waiting on its lock meanwhile.
   */
  adoptedInto?: string;
  updatedAt: Date;
}

const continueSchema = new Schema<ContinueEntry>(
  {
    fileId: { type: String, required: true },
    titleId: String,
    season: Number,
    episode: Number,
    chapterId: String,
    chapterLabel: String,
    position: { type: Number, required: true },
    duration: { type: Number, required: true },
    updatedAt: { type: Date, required: true },
  },
  { _id: false },
);

const titleChoiceSchema = new Schema<TitleChoice>(
  {
    titleId: { type: String, required: true },
    audioTrack: String,
    subtitleTrack: String,
    watched: { type: [String], default: [] },
    updatedAt: { type: Date, required: true },
  },
  { _id: false },
);

export const viewerProfileSchema = new Schema<ViewerProfile>(
  {
    _id: { type: String, required: true },
    guest: { type: Boolean, required: true },
    continue: { type: [continueSchema], default: [] },
    titles: { type: [titleChoiceSchema], default: [] },
    files: { type: [String], default: [] },
    adoptedInto: String,
    updatedAt: { type: Date, required: true },
  },
  { collection: 'viewer_profiles', versionKey: false, minimize: false },
);
// The hourly sweep of abandoned guests (a small collection: one document per viewer).
viewerProfileSchema.index({ guest: 1, updatedAt: 1 });
