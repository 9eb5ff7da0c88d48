import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type Connection, Types } from 'mongoose';
import { MongoConnection } from '../../src/core/database/mongo-connection.js';
import { ChapterAdminService } from '../../src/readvault/chapters/chapter-admin.service.js';
import { ReadVaultService } from '../../src/readvault/readvault.service.js';
import { pageImage } from '../support/comics.js';
import { startTestDatabase, type TestDatabase } from '../support/database.js';
import { type TestClient } from '../support/http.js';
import { type InProcessApp, signInAdmin, startInProcessApp } from '../support/in-process-app.js';
import { ingestLink, type LinkServer, startLinkServer } from '../support/link-server.js';
import { postPanelForm } from '../support/panel-form.js';
import { makeZip } from '../support/zip.js';

interface ChapterRecord {
  _id: string;
  seriesId: Types.ObjectId;
  fileId: Types.ObjectId;
}

describe('ReadVault deletion: a shared CBZ outlives all but its last chapter; a title takes its chapters', () => {
  let db: TestDatabase;
  let server: InProcessApp;
  let admin: TestClient;
  let links: LinkServer;
  let mongo: Connection;
  let pages: Buffer[];

  before(async () => {
    db = await startTestDatabase();
    links = await startLinkServer();
    server = await startInProcessApp({ MONGODB_URI: db.uri, ROLE: 'all', INGEST_ALLOW_HOSTS: links.host });
    admin = await signInAdmin(server);
    mongo = server.app.get(MongoConnection).connection;
    pages = [await pageImage(1200, 500, 60, 'jpeg'), await pageImage(1200, 500, 70, 'jpeg')];
  });
  after(async () => {
    await server?.close();
    await links?.close();
    await db?.stop();
  });

  /** One chapter from a CBZ named `name`; the same pages give the same stored CBZ (stored once). */
  const ingestChapter = async (name: string, chapterPages: Buffer[]) => {
    const cbz = makeZip(chapterPages.map((content, n) => ({ name: `${n + 1}.jpg`, content })));
    const task = await ingestLink(admin, links.url(name, cbz));
    assert.equal(task.state, 'done', String(task.error));
    const seriesId = String(task.titleId);
    const series = await admin.get(`/api/readvault/series/${seriesId}`);
    const chapterId = (series.body.chapters as { id: string }[]).at(-1)!.id;
    const chapter = await mongo.collection<ChapterRecord>('chapters').findOne({ _id: chapterId });
    return { seriesId, chapterId, fileId: chapter!.fileId };
  };
  const fileExists = async (fileId: Types.ObjectId) =>
    (await mongo.collection('media_files').findOne({ _id: fileId })) !== null;
  const page = async (chapterId: string, n: number, query = '') => {
    const res = await fetch(
      `${server.url}/api/readvault/chapters/${encodeURIComponent(chapterId)}/pages/${n}${query}`,
    );
    return { status: res.status, bytes: Buffer.from(await res.arrayBuffer()) };
  };
  const deleteChapter = (seriesId: string, chapterId: string) =>
    postPanelForm(
      server.url,
      admin,
      `/admin/library/${seriesId}`,
      `/admin/library/${seriesId}/chapters/${encodeURIComponent(chapterId)}/delete`,
      {},
    );

  it('keeps a CBZ two chapters share until the second one is deleted', async () => {
    const first = await ingestChapter('Shared Shelf c001.cbz', pages);
    const second = await ingestChapter('Borrowed Shelf c004.cbz', pages);
    assert.notEqual(first.seriesId, second.seriesId, 'two series');
    assert.ok(first.fileId.equals(second.fileId), 'the same pages are stored once');

    const gone = await deleteChapter(first.seriesId, first.chapterId);
    assert.equal(gone.status, 303, gone.html);
    assert.equal((await page(first.chapterId, 1)).status, 404);
    assert.ok(await fileExists(second.fileId), 'the other chapter still reads it');
    for (const [n, bytes] of pages.entries()) {
      const read = await page(second.chapterId, n + 1);
      assert.equal(read.status, 200);
      assert.ok(read.bytes.equals(bytes), `page ${n + 1} byte-exact`);
    }

    const last = await deleteChapter(second.seriesId, second.chapterId);
    assert.equal(last.status, 303, last.html);
    assert.equal(await fileExists(second.fileId), false, 'gone with its last chapter');
  });

  it('deleting the chapters sharing a CBZ at the same moment still deletes it once', async () => {
    const left = await ingestChapter('Twin Left c002.cbz', [pages[1], pages[0]]);
    const right = await ingestChapter('Twin Right c002.cbz', [pages[1], pages[0]]);
    assert.ok(left.fileId.equals(right.fileId));
    const chapters = server.app.get(ChapterAdminService);
    await Promise.all([
      chapters.deleteChapter(new Types.ObjectId(left.seriesId), left.chapterId),
      chapters.deleteChapter(new Types.ObjectId(right.seriesId), right.chapterId),
    ]);
    assert.equal(await fileExists(left.fileId), false, 'neither deletion may think the other still uses it');
    const queued = await mongo.collection('pending_deletions').countDocuments();
    assert.ok(queued > 0, 'its bytes are queued for the deletion drain');
  });

  it('answers a page read lately from memory, with the same bytes and headers, until its CBZ goes', async () => {
    const chapter = await ingestChapter('Quick Turn c001.cbz', [pages[0], pages[1]]);
    const readvault = server.app.get(ReadVaultService);
    assert.equal(readvault.hotPage(chapter.chapterId, 2), undefined, 'nothing kept before a read');
    const url = `${server.url}/api/readvault/chapters/${encodeURIComponent(chapter.chapterId)}/pages/2`;
    const cold = await fetch(url, { headers: { 'x-request-id': 'first-read' } });
    const coldBytes = Buffer.from(await cold.arrayBuffer());
    assert.ok(readvault.hotPage(chapter.chapterId, 2)?.bytes.equals(pages[1]), 'kept after the read');
    assert.equal(readvault.hotPage(chapter.chapterId, 2, 480), undefined, 'a smaller width is resized');
    const hot = await fetch(url, { headers: { 'x-request-id': 'second-read' } });
    const hotBytes = Buffer.from(await hot.arrayBuffer());
    assert.ok(coldBytes.equals(pages[1]) && hotBytes.equals(pages[1]));
    assert.equal(hot.headers.get('x-request-id'), 'second-read');
    for (const name of [
      'etag',
      'content-type',
      'cache-control',
      'content-security-policy',
      'x-content-type-options',
    ]) {
      assert.ok(hot.headers.get(name), `${name} present`);
      assert.equal(hot.headers.get(name), cold.headers.get(name), name);
    }
    const deleted = await deleteChapter(chapter.seriesId, chapter.chapterId);
    assert.equal(deleted.status, 303, deleted.html);
    assert.equal(readvault.hotPage(chapter.chapterId, 2), undefined, 'forgotten with its file');
    assert.equal((await fetch(url)).status, 404);
  });

  it('deleting a manga title removes its chapters, their CBZs and their resized pages', async () => {
    const one = await ingestChapter('Fading Tide c001.cbz', [pages[0]]);
    const two = await ingestChapter('Fading Tide c002.cbz', [pages[1]]);
    assert.equal(one.seriesId, two.seriesId);
    // A CBZ the title shares with another series stays for that one.
    const kept = await ingestChapter('Steady Tide c009.cbz', [pages[1]]);
    assert.ok(kept.fileId.equals(two.fileId));
    assert.equal((await page(one.chapterId, 1, '?width=480')).status, 200);
    assert.equal((await page(two.chapterId, 1, '?width=480')).status, 200);
    const cacheDir = join(server.config.dataDir, 'cache', 'readvault');
    const resizedOf = (fileId: Types.ObjectId) =>
      readdirSync(cacheDir).filter((name) => name.startsWith(`${String(fileId)}-`));
    assert.equal(resizedOf(one.fileId).length, 1);

    const deleted = await postPanelForm(
      server.url,
      admin,
      `/admin/library/${one.seriesId}`,
      `/admin/library/${one.seriesId}/delete`,
      {},
    );
    assert.equal(deleted.status, 303, deleted.html);
    assert.equal((await admin.get(`/api/readvault/series/${one.seriesId}`)).status, 404);
    for (const chapterId of [one.chapterId, two.chapterId]) {
      assert.equal((await page(chapterId, 1)).status, 404);
      assert.equal(await mongo.collection('chapters').findOne({ _id: chapterId as never }), null);
    }
    assert.equal(
      await mongo.collection('comic_series').findOne({ _id: new Types.ObjectId(one.seriesId) }),
      null,
    );
    assert.equal(await fileExists(one.fileId), false);
    assert.deepEqual(resizedOf(one.fileId), [], 'its resized pages left the disk cache');
    assert.ok(await fileExists(kept.fileId), "the other series' chapter keeps the shared CBZ");
    assert.ok(resizedOf(two.fileId).length > 0, 'and its resized pages');
    const read = await page(kept.chapterId, 1);
    assert.equal(read.status, 200);
    assert.ok(read.bytes.equals(pages[1]));
  });
});
