import { Schema } from 'mongoose';

/** One owner's ad counters for one UTC day, copied from Redis: `_id` = `<owner>:<YYYY-MM-DD>`. */
export interface AdDay {
  _id: string;
  owner: string;
  day: string;
  counts: Record<string, number>;
  flushedAt: Date;
}

export const adDaySchema = new Schema<AdDay>(
  {
    _id: { type: String, required: true },
    owner: { type: String, required: true },
    day: { type: String, required: true },
    counts: { type: Schema.Types.Mixed, required: true },
    flushedAt: { type: Date, required: true },
  },
  { collection: 'ad_events', versionKey: false, minimize: false },
);
