import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Types } from 'mongoose';
import opdsFeedParser from 'opds-feed-parser';
import { MongoConnection } from '../../src/core/database/mongo-connection.js';
import { ChapterAdminService } from '../../src/readvault/chapters/chapter-admin.service.js';
import {
  CHAPTER_LINKS_BACKFILL,
  ChapterLinksBackfill,
} from '../../src/readvault/chapters/chapter-links.backfill.js';
import { ChapterRepository } from '../../src/readvault/chapters/chapter.repository.js';
import { comicInfo, pageImage } from '../support/comics.js';
import { startTestDatabase, type TestDatabase } from '../support/database.js';
import { eventually } from '../support/eventually.js';
import { type LinkServer, startLinkServer } from '../support/link-server.js';
import { type TestClient } from '../support/http.js';
import {
  type InProcessApp,
  signInAdmin,
  signInNewUser,
  startInProcessApp,
} from '../support/in-process-app.js';
import { makeZip } from '../support/zip.js';

// NYPL's OPDS client parser (CommonJS): its default export is the parser class.
const { default: OPDSParser, OPDSFeed } = opdsFeedParser;
type Entry = InstanceType<typeof opdsFeedParser.OPDSEntry>;

const IMAGE = 'http://opds-spec.org/image';
const THUMBNAIL = 'http://opds-spec.org/image/thumbnail';
const PSE = 'http://vaemendis.net/opds-pse/stream';
/** An Atom id is an IRI: here a URN with nothing to escape left in it (RFC 8141's characters). */
const URN = /^urn:[a-z0-9][a-z0-9-]*:[A-Za-z0-9\-._~!$&'()*+,;=:@%/]+$/;

describe('OPDS: image types as served, Atom-complete entries, progress from page fetches', () => {
  let db: TestDatabase;
  let server: InProcessApp;
  let admin: TestClient;
  let files: LinkServer;
  let auth: { authorization: string };
  /** "Tiny Strips": two chapters of 200 px PNG pages, genre "Slice of Life", no summary. */
  let tinyId: string;
  /** "Wide Pages": one chapter of 1000 px JPEG pages. */
  let wideId: string;

  /** An app password of the account `client` is signed in to, as an app's Basic credentials. */
  const appAuth = async (client: TestClient, username: string) => {
    const created = await client.post('/api/auth/app-passwords', { label: 'Panels' });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const credentials = `${username}:${String(created.body.password)}`;
    return { authorization: `Basic ${Buffer.from(credentials).toString('base64')}` };
  };
  const opds = async (path: string, headers = auth) => {
    const res = await fetch(`${server.url}${path}`, { headers });
    return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
  };
  /** A feed as NYPL's OPDS client reads it. */
  const feedAt = async (path: string, headers = auth) => {
    const answer = await opds(path, headers);
    assert.equal(answer.status, 200, `${path}: ${answer.text}`);
    const feed = await new OPDSParser().parse(answer.text);
    assert.ok(feed instanceof OPDSFeed, path);
    return feed;
  };
  /** The content type a link answers (the body read, so the connection is free). */
  const answeredType = async (href: string, headers = auth) => {
    const res = await fetch(`${server.url}${href}`, { headers });
    await res.arrayBuffer();
    assert.equal(res.status, 200, href);
    return res.headers.get('content-type');
  };
  const ingest = async (name: string, cbz: Buffer) => {
    const submitted = await admin.post('/api/ingest', { url: files.url(name, cbz) });
    assert.equal(submitted.status, 202, JSON.stringify(submitted.body));
    const task = await eventually(
      async () => (await admin.get(`/api/ingest/${String(submitted.body.taskId)}`)).body,
      (task) => task.state === 'done' || task.state === 'failed',
      { timeoutMs: 90000, intervalMs: 200, what: `task for ${name}` },
    );
    assert.equal(task.state, 'done', String(task.error));
    return String(task.titleId);
  };
  const chapterCbz = async (info: Buffer, width: number, format: 'png' | 'jpeg', shade: number) => {
    const ext = format === 'png' ? 'png' : 'jpg';
    return makeZip([
      ...(await Promise.all(
        [0, 1, 2].map(async (i) => ({
          name: `${i + 1}.${ext}`,
          content: await pageImage(width, 300, shade + i * 10, format),
        })),
      )),
      { name: 'ComicInfo.xml', content: info },
    ]);
  };

  before(async () => {
    db = await startTestDatabase();
    files = await startLinkServer();
    server = await startInProcessApp({
      MONGODB_URI: db.uri,
      ROLE: 'all',
      INGEST_ALLOW_HOSTS: files.host,
    });
    admin = await signInAdmin(server);
    auth = await appAuth(admin, 'admin');

    const tiny = (number: number) => comicInfo({ series: 'Tiny Strips', number, genres: ['Slice of Life'] });
    tinyId = await ingest('Tiny Strips c001.cbz', await chapterCbz(tiny(1), 200, 'png', 10));
    assert.equal(await ingest('Tiny Strips c002.cbz', await chapterCbz(tiny(2), 200, 'png', 40)), tinyId);
    wideId = await ingest(
      'Wide Pages c001.cbz',
      await chapterCbz(comicInfo({ series: 'Wide Pages', number: 1 }), 1000, 'jpeg', 70),
    );
  });
  after(async () => {
    await server?.close();
    await files?.close();
    await db?.stop();
  });

  it('declares image links with the type each one answers: PNG pages are image/png, at any width', async () => {
    const feed = await feedAt(`/opds/v1.2/series/${tinyId}`);
    assert.equal(feed.entries.length, 2);
    const cover = feed.links.find((link) => link.rel === THUMBNAIL);
    assert.ok(cover, "the series' cover");
    assert.equal(cover.type, 'image/png');
    assert.equal(await answeredType(cover.href), 'image/png');
    for (const entry of feed.entries) {
      const image = entry.links.find((link) => link.rel === IMAGE)!;
      const thumbnail = entry.links.find((link) => link.rel === THUMBNAIL)!;
      const stream = entry.links.find((link) => link.rel === PSE)!;
      // A page narrower than the width asked is sent as stored: a PNG, never the WebP of a resize.
      assert.deepEqual(
        [image.type, thumbnail.type, stream.type],
        ['image/png', 'image/png', 'image/png'],
        entry.title,
      );
      assert.equal(await answeredType(image.href), image.type);
      assert.equal(await answeredType(thumbnail.href), thumbnail.type);
      for (const page of [0, 1, 2]) {
        for (const width of [320, 1284, 2048]) {
          const href = stream.href.replace('{pageNumber}', String(page)).replace('{maxWidth}', String(width));
          assert.equal(await answeredType(href), stream.type, href);
        }
      }
    }

    // Pages wider than the thumbnail: the page as stored is a JPEG, its thumbnail a resized WebP.
    const wide = await feedAt(`/opds/v1.2/series/${wideId}`);
    const [chapter] = wide.entries;
    const image = chapter.links.find((link) => link.rel === IMAGE)!;
    const thumbnail = chapter.links.find((link) => link.rel === THUMBNAIL)!;
    assert.deepEqual([image.type, thumbnail.type], ['image/jpeg', 'image/webp']);
    assert.equal(await answeredType(image.href), 'image/jpeg');
    assert.equal(await answeredType(thumbnail.href), 'image/webp');
    const seriesCover = wide.links.find((link) => link.rel === THUMBNAIL)!;
    assert.equal(await answeredType(seriesCover.href), seriesCover.type);
  });

  it('gives every entry a content and every feed an IRI id with its page once', async () => {
    const feeds = [
      '/opds/v1.2/series',
      '/opds/v1.2/series/a-z',
      '/opds/v1.2/search?q=tiny%20strips',
      '/opds/v1.2/genres/slice%20of%20life',
      `/opds/v1.2/series/${tinyId}`,
    ];
    for (const path of feeds) {
      const feed = await feedAt(path);
      assert.ok(feed.entries.length > 0, path);
      // RFC 4287 §4.1.2: an entry without an alternate link has a content (or summary).
      for (const entry of feed.entries) {
        assert.ok(
          entry.summary.content || entry.links.some((link) => link.rel === 'alternate'),
          `${path}: entry ${entry.title} has neither content nor an alternate link`,
        );
        assert.match(entry.id, URN, path);
      }
      assert.match(feed.id, URN, path);
    }
    const genre = await feedAt('/opds/v1.2/genres/slice%20of%20life?page=1');
    assert.equal(genre.id, 'urn:streamvault:opds:genre:slice%20of%20life:1');
    const search = await feedAt('/opds/v1.2/search?q=tiny%20strips');
    assert.equal(search.id, 'urn:streamvault:opds:search:tiny%20strips:1');
    const genres = await feedAt('/opds/v1.2/genres');
    const slice = genres.entries.find((entry) => entry.title === 'Slice Of Life');
    assert.ok(slice, genres.entries.map((entry) => entry.title).join(', '));
    assert.match(slice.id, URN);
  });

  it('never moves the saved page back when an app fetches an earlier PSE page', async () => {
    // An account of its own: the pages fetched above saved the admin's progress.
    const reader = await signInNewUser(server, 'reader', 'viewer');
    const app = await appAuth(reader, 'reader');
    const fetchPage = (href: string) => answeredType(href, app);
    const tiny = await feedAt(`/opds/v1.2/series/${tinyId}`);
    const wide = await feedAt(`/opds/v1.2/series/${wideId}`);
    const pse = (entry: Entry, page: number) =>
      entry.links
        .find((link) => link.rel === PSE)!
        .href.replace('{pageNumber}', String(page))
        .replace('{maxWidth}', '1284');
    const chapterOf = (entry: Entry) => entry.id.replace('urn:streamvault:chapter:', '');
    const progress = async (entry: Entry) =>
      (await reader.get(`/api/readvault/chapters/${encodeURIComponent(chapterOf(entry))}/progress`)).body;
    const [first, second] = tiny.entries;

    for (const page of [0, 1, 2]) await fetchPage(pse(first, page));
    await eventually(
      () => progress(first),
      (saved) => saved.page === 3 && saved.finished === true,
      { what: 'chapter 1 finished by its last PSE page' },
    );

    // The app shows the cover again. One account's page saves run in arrival order, so once a page
    // of another series fetched after it is saved, the cover's save has run too.
    await fetchPage(pse(first, 0));
    await fetchPage(pse(wide.entries[0], 1));
    await eventually(
      () => progress(wide.entries[0]),
      (saved) => saved.page === 2,
      { what: 'the later page save' },
    );
    const kept = await progress(first);
    assert.deepEqual([kept.page, kept.finished], [3, true], 'still finished at its last page');
    const reading = await feedAt('/opds/v1.2/continue', app);
    assert.deepEqual(
      reading.entries.map((entry) => entry.id).sort(),
      [second.id, wide.entries[0].id].sort(),
      'the finished chapter handed its series on to the next one',
    );

    // Forward still moves: a later page of a chapter in progress is saved.
    await fetchPage(pse(wide.entries[0], 2));
    await eventually(
      () => progress(wide.entries[0]),
      (saved) => saved.page === 3 && saved.finished === true,
      { what: 'a later page saved' },
    );
    // The reader's own save may still go back.
    const back = await reader.request(
      'PUT',
      `/api/readvault/chapters/${encodeURIComponent(chapterOf(first))}/progress`,
      { json: { page: 1 } },
    );
    assert.equal(back.status, 200, JSON.stringify(back.body));
    assert.deepEqual([back.body.page, back.body.finished], [1, false]);
  });

  it('lists a series from its chapter list alone: no chapter is read but the cover, old lists still typed', async (t) => {
    const chapterReads = t.mock.method(server.app.get(ChapterRepository), 'findChapter');
    /** The chapters read since the last call. */
    const read = () => {
      const ids = chapterReads.mock.calls.map((call) => call.arguments[0]);
      chapterReads.mock.resetCalls();
      return ids;
    };
    const comicSeries = server.app.get(MongoConnection).connection.collection('comic_series');
    /** Each entry's links as an app reads them: relation, address and declared type. */
    const linksOf = async (id: string) =>
      (await feedAt(`/opds/v1.2/series/${id}`)).entries.map((entry) =>
        entry.links.map((link) => [link.rel, link.href, link.type]),
      );
    const tinyChapters = (
      (await comicSeries.findOne({ _id: new Types.ObjectId(tinyId) }))!.chapters as {
        id: string;
      }[]
    ).map((entry) => entry.id);
    assert.equal(tinyChapters.length, 2);

    // Filed chapters keep their link types in the list: the feed reads the cover's chapter alone.
    const tiny = await linksOf(tinyId);
    assert.deepEqual(read(), [tinyChapters[0]], "only the cover's chapter is read");
    const wide = await linksOf(wideId);
    assert.equal(read().length, 1, "only the cover's chapter is read");
    // The types the first test saw answered by the page route.
    const types = (links: string[][]) =>
      [IMAGE, THUMBNAIL, PSE].map((rel) => links.find((link) => link[0] === rel)?.[2]);
    assert.deepEqual(tiny.map(types), [
      ['image/png', 'image/png', 'image/png'],
      ['image/png', 'image/png', 'image/png'],
    ]);
    assert.deepEqual(wide.map(types), [['image/jpeg', 'image/webp', 'image/jpeg']]);

    // A list filed before the types were kept: the feed reads those chapters, and says the same.
    const stored = (await comicSeries.findOne({ _id: new Types.ObjectId(tinyId) }))!;
    const withoutLinks = (stored.chapters as Record<string, unknown>[]).map(({ links, ...entry }) => {
      assert.ok(links, 'kept when filed');
      return entry;
    });
    await comicSeries.updateOne({ _id: stored._id }, { $set: { chapters: withoutLinks } });
    assert.deepEqual(await linksOf(tinyId), tiny);
    assert.deepEqual(read().sort(), [tinyChapters[0], ...tinyChapters].sort(), 'the cover and each chapter');

    // The one-time backfill fills them in (the series' last change stays), and the feed is back to one read.
    await server.app
      .get(MongoConnection)
      .connection.collection('migrations')
      .deleteOne({
        _id: CHAPTER_LINKS_BACKFILL as never,
      });
    assert.equal(await server.app.get(ChapterLinksBackfill).run(), 2);
    const filled = (await comicSeries.findOne({ _id: stored._id }))!;
    assert.deepEqual(filled.updatedAt, stored.updatedAt);
    assert.deepEqual(filled.chapters, stored.chapters);
    assert.equal(await server.app.get(ChapterLinksBackfill).run(), 0, 'once');
    read();
    assert.deepEqual(await linksOf(tinyId), tiny);
    assert.deepEqual(read(), [tinyChapters[0]]);

    // An admin's edit rewrites the list and keeps the types.
    await server.app.get(ChapterAdminService).chooseCover(new Types.ObjectId(tinyId), tinyChapters[1], 2);
    read();
    assert.deepEqual(await linksOf(tinyId), tiny);
    assert.deepEqual(read(), [tinyChapters[1]], "only the new cover's chapter is read");

    // Continue reading takes the types from the list too.
    const listed = new Map(
      (await Promise.all([tinyId, wideId].map((id) => feedAt(`/opds/v1.2/series/${id}`))))
        .flatMap((feed) => feed.entries)
        .map((entry) => [entry.id, types(entry.links.map((link) => [link.rel, link.href, link.type]))]),
    );
    // An account of its own, one page into a chapter (PSE fetches save the place).
    const shelf = await signInNewUser(server, 'shelf', 'viewer');
    const app = await appAuth(shelf, 'shelf');
    const [first] = (await feedAt(`/opds/v1.2/series/${tinyId}`, app)).entries;
    const stream = first.links.find((link) => link.rel === PSE)!;
    await answeredType(stream.href.replace('{pageNumber}', '1').replace('{maxWidth}', '1284'), app);
    await eventually(
      async () => (await feedAt('/opds/v1.2/continue', app)).entries.length,
      (count) => count === 1,
      { what: 'the chapter in the continue feed' },
    );
    read();
    const reading = await feedAt('/opds/v1.2/continue', app);
    assert.deepEqual(
      reading.entries.map((entry) => entry.id),
      [first.id],
    );
    for (const entry of reading.entries) {
      const entryTypes = types(entry.links.map((link) => [link.rel, link.href, link.type]));
      assert.deepEqual(entryTypes, listed.get(entry.id), entry.title);
      assert.ok(entryTypes.every(Boolean), entry.title);
    }
    assert.deepEqual(read(), [], 'no chapter read');
  });
});
