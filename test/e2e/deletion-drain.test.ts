import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { getQueueToken } from '@nestjs/bullmq';
import { type Queue } from 'bullmq';
import { Types } from 'mongoose';
import { MongoConnection } from '../../src/core/database/mongo-connection.js';
import { JobName, QueueName } from '../../src/core/queue/queue-names.js';
import { MEDIA_STORE, type MediaStore } from '../../src/core/storage/media-store.js';
import { LibraryService } from '../../src/library/library.service.js';
import { MediaFileRepository } from '../../src/library/media-file.repository.js';
import { PendingDeletionRepository } from '../../src/library/pending-deletion.repository.js';
import { type MediaFile } from '../../src/library/schemas/media-file.schema.js';
import { DeletionDrainer } from '../../src/library/upkeep/deletion-drainer.js';
import { startTestDatabase, type TestDatabase } from '../support/database.js';
import { startInProcessApp, type InProcessApp } from '../support/in-process-app.js';
import { storeFile } from '../support/library-fixtures.js';
import { randomFile } from '../support/media.js';

describe('stored bytes of deleted library entries are removed from the store', () => {
  let db: TestDatabase;
  let server: InProcessApp;

  before(async () => {
    db = await startTestDatabase();
    server = await startInProcessApp({ MONGODB_URI: db.uri, ROLE: 'all' });
  });
  after(async () => {
    await server?.close();
    await db?.stop();
  });

  it('a manager registers the drain to run every minute', async () => {
    const queue = server.app.get<Queue>(getQueueToken(QueueName.Library));
    const schedulers = await queue.getJobSchedulers();
    const drain = schedulers.find((scheduler) => scheduler.key === JobName.DrainDeletions);
    assert.ok(drain, JSON.stringify(schedulers));
    assert.equal(Number(drain.every), 60000);
  });

  it('deleting a title queues its stored file, and the drain removes it from disk', async () => {
    const library = server.app.get(LibraryService);
    const file = await storeFile(server.app, randomFile(64 * 1024).path, 'Gone.Movie.2001.mkv');
    const title = await library.upsertSkeleton({ kind: 'movie', name: 'Gone Movie', year: 2001 });
    await library.attachFile(title._id, file._id);
    const onDisk = join(server.config.dataDir, 'media', file.storage.parts[0].ref);
    assert.equal(existsSync(onDisk), true);

    await library.deleteTitle(title._id);
    const pending = server.app.get(PendingDeletionRepository);
    assert.ok((await pending.list()).some((entry) => entry.ref === file.storage.parts[0].ref));

    const result = await server.app.get(DeletionDrainer).drain();
    assert.ok(result.deleted >= 1);
    assert.equal(existsSync(onDisk), false);
    assert.equal((await pending.list()).filter((entry) => entry.fileId === String(file._id)).length, 0);
  });

  it('queues a still stored into a file while the file was being deleted, and one stored after', async () => {
    const library = server.app.get(LibraryService);
    const store = server.app.get<MediaStore>(MEDIA_STORE);
    const files = server.app.get(MediaFileRepository);
    const file = await storeFile(server.app, randomFile(16 * 1024).path, 'Raced.Movie.2002.mkv');
    const title = await library.upsertSkeleton({ kind: 'movie', name: 'Raced Movie', year: 2002 });
    await library.attachFile(title._id, file._id);
    const stillPath = randomFile(512).path;
    const [lateStill] = await store.put(stillPath, 'late-still.webp');
    // Stills made for the file land between the deletion reading the file and deleting it.
    const read = files.findByIds.bind(files);
    files.findByIds = async (ids) => {
      const found = await read(ids);
      await files.setArtifacts(file._id, { screenshots: [lateStill], sample: undefined });
      return found;
    };
    try {
      await library.deleteTitle(title._id);
    } finally {
      files.findByIds = read;
    }
    const pending = server.app.get(PendingDeletionRepository);
    assert.ok(
      (await pending.list()).some((entry) => entry.ref === lateStill.ref),
      'the late still is queued',
    );

    // After the deletion: the writer is told, and hands its object over.
    const [afterwards] = await store.put(stillPath, 'after-still.webp');
    assert.equal(
      await library.setFileArtifacts(file._id, { screenshots: [afterwards], sample: undefined }),
      false,
    );
    assert.equal(await library.rememberSubtitleVtt(file._id, 0, afterwards), false);
    await library.discardStored(store.kind, [afterwards], 'test: made for a deleted file');
    await server.app.get(DeletionDrainer).drain();
    assert.equal(await store.exists(lateStill), false);
    assert.equal(await store.exists(afterwards), false);
  });

  it('keeps an entry the store refuses, with the error and an attempt count, and drains the rest', async () => {
    const pending = server.app.get(PendingDeletionRepository);
    const hostile = {
      _id: new Types.ObjectId(),
      storage: { kind: 'local', parts: [{ ref: '../../outside-the-media-root', size: 1 }] },
      screenshots: [],
      streams: { video: [], audio: [], subtitles: [] },
    } as unknown as MediaFile;
    await pending.recordFiles([hostile], 'test: a ref that escapes the store');
    const result = await server.app.get(DeletionDrainer).drain();
    assert.equal(result.failed, 1);
    const [kept] = (await pending.list()).filter((entry) => entry.fileId === String(hostile._id));
    assert.equal(kept.attempts, 1);
    assert.match(String(kept.lastError), /\S/);
  });

  /** Entries of the test's own, straight from the collection (attempts and next attempt as stored). */
  const entries = () =>
    server.app
      .get(MongoConnection)
      .connection.collection<{ _id: string; attempts: number; nextAttemptAt?: Date }>('pending_deletions');

  it('a run whose first batch all fails still reaches the entries it has not tried', async () => {
    const pending = server.app.get(PendingDeletionRepository);
    const store = server.app.get<MediaStore>(MEDIA_STORE);
    // A full batch (100) of refs the store refuses, recorded first so they come first.
    const hostile = Array.from({ length: 100 }, (_, i) => `../../batch-of-failures-${i}`);
    await pending.recordObjects('local', hostile, 'test: always fails');
    // An object that failed in earlier runs (more attempts than this run's failures will have), due again.
    const [earlier] = await store.put(randomFile(256).path, 'failed-before.webp');
    await pending.recordObjects('local', [earlier.ref], 'test: failed before, removable now');
    await entries().updateOne(
      { _id: `local:${earlier.ref}` },
      { $set: { attempts: 5, nextAttemptAt: new Date(Date.now() - 1000) } },
    );

    const result = await server.app.get(DeletionDrainer).drain();
    assert.equal(await store.exists(earlier), false, 'the untried entry was reached in the same run');
    assert.equal(await entries().countDocuments({ _id: `local:${earlier.ref}` }), 0);
    assert.equal(result.failed, 100, 'each failure tried once (the one of the test above is not due yet)');
  });

  it('backs off an entry that keeps failing: its next attempt moves out, doubling, up to an hour', async () => {
    const pending = server.app.get(PendingDeletionRepository);
    const id = 'local:../../keeps-failing';
    await pending.recordObjects('local', ['../../keeps-failing'], 'test: always fails');
    const drainer = server.app.get(DeletionDrainer);
    const retryIn = async () => {
      const entry = (await entries().findOne({ _id: id }))!;
      return {
        attempts: entry.attempts as number,
        inMs: (entry.nextAttemptAt as Date).getTime() - Date.now(),
      };
    };
    const dueNow = () =>
      entries().updateOne({ _id: id }, { $set: { nextAttemptAt: new Date(Date.now() - 1) } });

    await drainer.drain();
    const first = await retryIn();
    assert.equal(first.attempts, 1);
    assert.ok(first.inMs > 50_000 && first.inMs <= 60_000, `first retry in about a minute: ${first.inMs}`);

    await drainer.drain();
    assert.equal((await retryIn()).attempts, 1, 'not tried again before its time');

    await dueNow();
    await drainer.drain();
    const second = await retryIn();
    assert.equal(second.attempts, 2);
    assert.ok(second.inMs > 110_000 && second.inMs <= 120_000, `then in about two: ${second.inMs}`);

    await entries().updateOne({ _id: id }, { $set: { attempts: 30 } });
    await dueNow();
    await drainer.drain();
    const capped = await retryIn();
    assert.ok(capped.inMs > 3_590_000 && capped.inMs <= 3_600_000, `never more than an hour: ${capped.inMs}`);
  });
});
