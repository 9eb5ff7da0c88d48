import { Schema } from 'mongoose';
import { type StoragePart } from '../schemas/media-file.schema.js';

/** A catalogue image kept locally: a WebP master in the MediaStore, resized on demand. */
export interface Artwork {
  /** `artworkId(source)`. */
  _id: string;
  source: string;
  part: StoragePart;
  width: number;
  height: number;
  createdAt: Date;
  /** When a title last took up this copy (another title with the same source): the sweep spares it. */
  takenAt?: Date;
}

export const artworkSchema = new Schema<Artwork>(
  {
    _id: { type: String, required: true },
    source: { type: String, required: true },
    part: {
      type: new Schema<StoragePart>(
        { ref: { type: String, required: true }, size: { type: Number, required: true } },
        { _id: false },
      ),
      required: true,
    },
    width: { type: Number, required: true },
    height: { type: Number, required: true },
    createdAt: { type: Date, required: true },
    takenAt: Date,
  },
  { collection: 'artwork', versionKey: false },
);
