import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Types } from 'mongoose';
import { MongoConnection } from '../../src/core/database/mongo-connection.js';
import { LibraryService } from '../../src/library/library.service.js';
import { ContentStore } from '../../src/ingest/processing/content-store.js';
import { albumId, artistId } from '../../src/music/model/music-ids.js';
import { MusicRepository } from '../../src/music/model/music.repository.js';
import { startTestDatabase, type TestDatabase } from '../support/database.js';
import { eventually } from '../support/eventually.js';
import { type TestClient } from '../support/http.js';
import { type InProcessApp, signInAdmin, startInProcessApp } from '../support/in-process-app.js';
import { ingestLink, startLinkServer } from '../support/link-server.js';
import { tempDir, testVideo } from '../support/media.js';
import { toneFile } from '../support/music.js';
import { makeZip } from '../support/zip.js';

interface ItemView {
  name: string;
  state: string;
  error: string | null;
  fileId: string | null;
  titleId: string | null;
}

/**
 * Items stored, then not filed (say, a library lock that timed out on the job's last attempt): the
 * task's retry files the stored bytes, without storing them again.
 */
describe('ingest: a retry files the items whose filing failed', () => {
  let db: TestDatabase;
  let server: InProcessApp;
  let admin: TestClient;
  let links: Awaited<ReturnType<typeof startLinkServer>>;

  before(async () => {
    db = await startTestDatabase();
    links = await startLinkServer();
    server = await startInProcessApp({
      MONGODB_URI: db.uri,
      ROLE: 'all',
      INGEST_ALLOW_HOSTS: links.host,
    });
    admin = await signInAdmin(server);
  });
  after(async () => {
    await server?.close();
    await links?.close();
    await db?.stop();
  });

  /** Makes `object[method]` fail its next call with the reason given, then behave again. */
  function failOnce<T extends object>(object: T, method: keyof T & string, reason: string): void {
    const original = object[method] as (...args: unknown[]) => Promise<unknown>;
    (object as Record<string, unknown>)[method] = () => {
      (object as Record<string, unknown>)[method] = original;
      return Promise.reject(new Error(reason));
    };
  }

  async function retried(taskId: string): Promise<Record<string, unknown>> {
    // A task fails a moment before its worker's job ends: until then a retry is told to wait (409).
    const retry = await eventually(
      () => admin.post(`/api/ingest/${taskId}/retry`),
      (res) => !(res.status === 409 && /still stopping/.test(String(res.body.message))),
      { timeoutMs: 10_000, intervalMs: 200, what: `a retry of ${taskId} once its job has ended` },
    );
    assert.equal(retry.status, 202, JSON.stringify(retry.body));
    return eventually(
      async () => (await admin.get(`/api/ingest/${taskId}`)).body,
      (task) => task.state === 'done' || task.state === 'failed',
      { timeoutMs: 90000, intervalMs: 250, what: `retry of ${taskId}` },
    );
  }

  const files = (fileName: string) =>
    server.app.get(MongoConnection).connection.collection('media_files').countDocuments({ fileName });

  it('files an album’s tracks on retry when filing the album failed', async () => {
    const dir = tempDir('sv-retry-album-');
    const tags = { artist: 'Retry Trio', album: 'Second Take', date: '2020' };
    const names = ['Retry Trio - Second Take/01 - First.flac', 'Retry Trio - Second Take/02 - Again.flac'];
    const zip = makeZip(
      names.map((name, index) => ({
        name,
        content: toneFile(join(dir, name), {
          frequency: 300 + index * 100,
          tags: { ...tags, title: index ? 'Again' : 'First', track: String(index + 1) },
        }),
      })),
    );
    failOnce(server.app.get(MusicRepository), 'fileAlbum', 'lock music-album timed out');

    const failed = await ingestLink(admin, links.url('Second Take.zip', zip));
    assert.equal(failed.state, 'failed');
    const before = failed.items as ItemView[];
    assert.deepEqual(
      before.map((item) => [item.state, item.error]),
      names.map(() => [
        'failed',
        'stored, but could not be filed in the library: lock music-album timed out',
      ]),
    );
    assert.ok(before.every((item) => item.fileId));

    const task = await retried(String(failed.taskId));
    assert.equal(task.state, 'done', String(task.error));
    const items = task.items as ItemView[];
    assert.deepEqual(
      items.map((item) => [item.state, item.fileId]),
      before.map((item) => ['done', item.fileId]),
      'filed, from the bytes stored the first time',
    );
    const album = await server.app.get(MusicRepository).findAlbum(albumId('Retry Trio', 'Second Take'));
    assert.deepEqual(
      album?.tracks.map((track) => [track.track, track.title, track.fileId]),
      [
        [1, 'First', before[0].fileId],
        [2, 'Again', before[1].fileId],
      ],
    );
    assert.equal(await files('01 - First.flac'), 1, 'stored once');
    assert.equal(await files('02 - Again.flac'), 1, 'stored once');
  });

  it('files a video under its title on retry when attaching it failed', async () => {
    const name = 'Retry.Filing.Movie.2021.mp4';
    const video = testVideo(2, undefined, { size: '176x144' });
    failOnce(server.app.get(LibraryService), 'attachFiles', 'lock title timed out');

    const failed = await ingestLink(admin, links.url(name, video.bytes));
    assert.equal(failed.state, 'failed');
    const [before] = failed.items as ItemView[];
    assert.equal(before.state, 'failed');
    assert.equal(before.error, 'stored, but could not be filed in the library: lock title timed out');
    assert.ok(before.fileId);

    const task = await retried(String(failed.taskId));
    assert.equal(task.state, 'done', String(task.error));
    const [item] = task.items as ItemView[];
    assert.deepEqual([item.state, item.fileId], ['done', before.fileId]);
    assert.ok(item.titleId, 'filed under a title');
    assert.deepEqual(task.titleIds, [item.titleId]);
    const title = await server.app.get(LibraryService).requireTitle(new Types.ObjectId(item.titleId));
    assert.equal(title.name, 'Retry Filing Movie');
    assert.equal(await files(name), 1, 'stored once');
  });

  it('files a retried track of an untagged compilation into its Various Artists album', async () => {
    const dir = tempDir('sv-retry-mix-');
    const tracks = [
      { name: 'Beach Mix/01 - Sand.opus', title: 'Sand', artist: 'Ann Sand' },
      { name: 'Beach Mix/02 - Surf.opus', title: 'Surf', artist: 'Bob Surf' },
      { name: 'Beach Mix/03 - Wave.opus', title: 'Wave', artist: 'Cy Wave' },
    ];
    const zip = makeZip(
      tracks.map(({ name, title, artist }, index) => ({
        name,
        content: toneFile(join(dir, name), {
          frequency: 500 + index * 100,
          tags: { title, artist, album: 'Beach Mix', track: String(index + 1) },
        }),
      })),
    );
    // The third track cannot be stored on the first run: the other two are filed without it.
    const content = server.app.get(ContentStore);
    const storeOnce = content.storeOnce.bind(content);
    let refused = false;
    content.storeOnce = (input) => {
      if (refused || input.name !== '03 - Wave.opus') return storeOnce(input);
      refused = true;
      return Promise.reject(new Error('the store refused it'));
    };

    const first = await ingestLink(admin, links.url('Beach Mix.zip', zip));
    assert.equal(first.state, 'done', String(first.error));
    assert.deepEqual(
      (first.items as ItemView[]).map((item) => item.state),
      ['done', 'done', 'failed'],
    );

    const task = await retried(String(first.taskId));
    assert.equal(task.state, 'done', String(task.error));
    const music = server.app.get(MusicRepository);
    const album = await music.findAlbum(albumId('Various Artists', 'Beach Mix'));
    assert.equal(album?.compilation, true);
    assert.deepEqual(
      album?.tracks.map((track) => [track.title, track.artist, track.albumArtist]),
      [
        ['Sand', 'Ann Sand', 'Various Artists'],
        ['Surf', 'Bob Surf', 'Various Artists'],
        ['Wave', 'Cy Wave', 'Various Artists'],
      ],
    );
    assert.equal(await music.findAlbum(albumId('Cy Wave', 'Beach Mix')), null, 'no second album');
    assert.deepEqual((await music.findArtist(artistId('Cy Wave')))?.albumIds ?? [], []);
  });
});
