import { type INestApplication } from '@nestjs/common';
import { type Types } from 'mongoose';
import { MediaFileRepository } from '../../src/library/media-file.repository.js';

let counter = 0;

/** A media_files record as ingest would leave it, with storage refs unique to this call. */
export async function createMediaFile(
  app: INestApplication,
  fileName = `file-${++counter}.mkv`,
): Promise<Types.ObjectId> {
  const file = await app.get(MediaFileRepository).insert({
    storage: { kind: 'local', parts: [{ ref: `media/${counter}-${fileName}`, size: 1000 }] },
    size: 1000,
    mime: 'video/x-matroska',
    fileName,
    streams: { video: [], audio: [], subtitles: [] },
    screenshots: [`shots/${counter}-1.webp`],
    episodes: [],
  });
  return file._id;
}
