import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { LibraryService } from '../../src/library/library.service.js';
import { type MediaFile } from '../../src/library/schemas/media-file.schema.js';
import { StreamService } from '../../src/stream/stream.service.js';
import { type RunningApp, startApp } from '../support/app-process.js';
import { startTestDatabase, type TestDatabase } from '../support/database.js';
import { startInProcessApp, type InProcessApp, signInAdmin } from '../support/in-process-app.js';
import { storeFile } from '../support/library-fixtures.js';
import { randomFile } from '../support/media.js';
import { uniqueRedisPrefix } from '../support/redis.js';

/**
 * A streamer keeps file records for a while so seeks skip the database; a delete or rename made
 * through another process must still reach it before the next request.
 */
describe('a streamer forgets a file the moment the library changes it', () => {
  let db: TestDatabase;
  let manager: InProcessApp;
  let streamer: RunningApp;
  let dataDir: string;

  before(async () => {
    db = await startTestDatabase();
    dataDir = mkdtempSync(join(tmpdir(), 'sv-invalidation-'));
    const shared = { MONGODB_URI: db.uri, DATA_DIR: dataDir, REDIS_PREFIX: uniqueRedisPrefix() };
    manager = await startInProcessApp({ ...shared, ROLE: 'all' });
    streamer = await startApp({ ...shared, ROLE: 'streamer' });
  });
  after(async () => {
    await streamer?.stop();
    await manager?.close();
    await db?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  /** A stored movie and its signed link on the streamer process. */
  async function movie(name: string): Promise<{ file: MediaFile; titleId: string; link: string }> {
    const library = manager.app.get(LibraryService);
    const file = await storeFile(manager.app, randomFile(64 * 1024).path, `${name}.mkv`, 'video/x-matroska');
    const title = await library.upsertSkeleton({ kind: 'movie', name, year: 2001 });
    await library.attachFile(title._id, file._id);
    const link = manager.app.get(StreamService).sign(file).url.replace(manager.config.http.publicUrl, '');
    return { file, titleId: String(title._id), link };
  }

  /** Two reads, so the second is served from the streamer's record cache. */
  async function streamTwice(link: string): Promise<void> {
    for (let i = 0; i < 2; i++) {
      const res = await streamer.get(link, { headers: { range: 'bytes=0-3' } });
      assert.equal(res.status, 206);
      await res.arrayBuffer();
    }
  }

  it('a file deleted through the API answers 404 on the very next request', async () => {
    const { file, titleId, link } = await movie('Deleted Movie');
    await streamTwice(link);
    const admin = await signInAdmin(manager);
    assert.equal((await admin.delete(`/api/titles/${titleId}/files/${String(file._id)}`)).status, 204);

    const res = await streamer.get(link, { headers: { range: 'bytes=0-3' } });
    assert.equal(res.status, 404);
    assert.equal(((await res.json()) as { error: string }).error, 'not_found');
  });

  it('a title deleted through the API stops streaming its files on the very next request', async () => {
    const { titleId, link } = await movie('Deleted Title');
    await streamTwice(link);
    const admin = await signInAdmin(manager);
    assert.equal((await admin.delete(`/api/titles/${titleId}`)).status, 204);

    const res = await streamer.get(link);
    assert.equal(res.status, 404);
    await res.arrayBuffer();
  });

  it('a renamed file is served under its new name on the very next request', async () => {
    const { file, link } = await movie('Old Name');
    await streamTwice(link);
    await manager.app.get(LibraryService).renameFile(file._id, 'New Name (2001).mkv');

    const res = await streamer.get(link, { headers: { range: 'bytes=0-3' } });
    assert.equal(res.status, 206);
    assert.match(res.headers.get('content-disposition') ?? '', /filename="New Name \(2001\)\.mkv"/);
    await res.arrayBuffer();
  });
});
