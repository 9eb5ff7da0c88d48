import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { type INestApplication } from '@nestjs/common';
import { MongoConnection } from '../../src/core/database/mongo-connection.js';
import { type MediaFile } from '../../src/library/schemas/media-file.schema.js';
import { storeFile } from './library-fixtures.js';
import { tempDir } from './media.js';

/** A WebM (VP8/Vorbis) of `seconds` seconds at 160×120, which every Chromium build plays. */
export function webmVideo(seconds: number, name: string): string {
  const path = join(tempDir('sv-ads-video-'), name);
  execFileSync('ffmpeg', [
    ...['-loglevel', 'error', '-y'],
    ...['-f', 'lavfi', '-i', `testsrc=size=160x120:rate=10:duration=${seconds}`],
    ...['-f', 'lavfi', '-i', `sine=frequency=440:duration=${seconds}`],
    ...['-c:v', 'libvpx', '-deadline', 'realtime', '-b:v', '100k', '-c:a', 'libvorbis', path],
  ]);
  return path;
}

/** A stored WebM video with its duration and picture size recorded, as ingest leaves a probed file. */
export async function storeVideo(
  app: INestApplication,
  seconds: number,
  fileName: string,
): Promise<MediaFile> {
  const file = await storeFile(app, webmVideo(seconds, fileName), fileName, 'video/webm');
  const facts = {
    duration: seconds,
    'streams.video': [{ index: 0, codec: 'vp8', width: 160, height: 120 }],
  };
  await app
    .get(MongoConnection)
    .connection.collection('media_files')
    .updateOne({ _id: file._id }, { $set: facts });
  return { ...file, duration: seconds };
}

/** Valid ad settings to start from; tests override what they look at. */
export function adSettings(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    enabled: true,
    preroll: true,
    midrollOffsets: [],
    skipOffsetSeconds: 2,
    frequencyCapMinutes: 0,
    allowedHosts: [],
    ...overrides,
  };
}
