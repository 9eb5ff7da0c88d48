import { Types } from 'mongoose';
import { type MediaFile, type StreamInfo } from './schemas/media-file.schema.js';

/** A track as file lists show it: where its WebVTT or sidecar copy is stored is left out. */
export type TrackCard = Omit<StreamInfo, 'vtt' | 'external'> & { external?: true };

/**
 * What a title's file list (the site's title page, the panel's title page) shows of one file: no
 * storage references, checksums or stills, so it stays small enough to keep for every file.
 */
export interface FileCard {
  _id: Types.ObjectId;
  fileName: string;
  size: number;
  mime: string;
  duration?: number;
  storage: { kind: MediaFile['storage']['kind'] };
  streams: { video: TrackCard[]; audio: TrackCard[]; subtitles: TrackCard[] };
  /** How many stills the file has (their bytes are read by position). */
  screenshotCount: number;
  titleId?: Types.ObjectId;
  season?: number;
  episodes: number[];
}

/** The file's card and the revision it was made from (an older one never replaces a newer). */
export interface StoredFileCard {
  revision: number;
  card: FileCard;
}

export function toFileCard(file: MediaFile): StoredFileCard {
  const track = ({ vtt: _vtt, external, ...rest }: StreamInfo): TrackCard =>
    external ? { ...rest, external: true } : rest;
  return {
    revision: file.revision ?? 0,
    card: {
      _id: file._id,
      fileName: file.fileName,
      size: file.size,
      mime: file.mime,
      ...(file.duration !== undefined && file.duration !== null ? { duration: file.duration } : {}),
      storage: { kind: file.storage.kind },
      streams: {
        video: file.streams.video.map(track),
        audio: file.streams.audio.map(track),
        subtitles: file.streams.subtitles.map(track),
      },
      screenshotCount: file.screenshots.length,
      ...(file.titleId ? { titleId: file.titleId } : {}),
      ...(file.season !== undefined && file.season !== null ? { season: file.season } : {}),
      episodes: file.episodes ?? [],
    },
  };
}

/** The card as stored in Redis (ids as strings). */
export function serializeFileCard(card: FileCard): string {
  return JSON.stringify(card);
}

export function parseFileCard(json: string): FileCard {
  const { _id, titleId, ...rest } = JSON.parse(json) as Omit<FileCard, '_id' | 'titleId'> & {
    _id: string;
    titleId?: string;
  };
  return {
    ...rest,
    _id: new Types.ObjectId(_id),
    ...(titleId ? { titleId: new Types.ObjectId(titleId) } : {}),
  };
}
