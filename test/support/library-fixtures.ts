import { type INestApplication } from '@nestjs/common';
import { type Types } from 'mongoose';
import { MEDIA_STORE, type MediaStore } from '../../src/core/storage/media-store.js';
import { MediaFileRepository } from '../../src/library/media-file.repository.js';
import { type MediaFile } from '../../src/library/schemas/media-file.schema.js';

let counter = 0;

/**
 * A media_files record as ingest would leave it, with storage refs unique to this call; `probed`: what
 * the probe measured (none by default, as for a file it could not read).
 */
export async function createMediaFile(
  app: INestApplication,
  fileName = `file-${++counter}.mkv`,
  probed: Pick<MediaFile, 'duration'> = {},
): Promise<Types.ObjectId> {
  const file = await app.get(MediaFileRepository).insert({
    ...probed,
    storage: { kind: 'local', parts: [{ ref: `media/${counter}-${fileName}`, size: 1000 }] },
    size: 1000,
    mime: 'video/x-matroska',
    fileName,
    streams: { video: [], audio: [], subtitles: [] },
    screenshots: [{ ref: `shots/${counter}-1.webp`, size: 100 }],
    episodes: [],
  });
  return file._id;
}

/** Puts a real file into the configured store and indexes it, as ingest will. */
export async function storeFile(
  app: INestApplication,
  path: string,
  fileName: string,
  mime = 'application/octet-stream',
): Promise<MediaFile> {
  const store = app.get<MediaStore>(MEDIA_STORE);
  const parts = await store.put(path, fileName);
  return app.get(MediaFileRepository).insert({
    storage: { kind: store.kind, parts },
    size: parts.reduce((sum, part) => sum + part.size, 0),
    mime,
    fileName,
    streams: { video: [], audio: [], subtitles: [] },
    screenshots: [],
    episodes: [],
  });
}
