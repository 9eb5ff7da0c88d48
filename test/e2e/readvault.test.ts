import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import opdsFeedParser from 'opds-feed-parser';
import sharp from 'sharp';
import { startTestDatabase, type TestDatabase } from '../support/database.js';
import { eventually } from '../support/eventually.js';
import { type LinkServer, startLinkServer } from '../support/link-server.js';
import { TestClient } from '../support/http.js';
import {
  type InProcessApp,
  signInAdmin,
  startInProcessApp,
  TEST_ADMIN_PASSWORD,
} from '../support/in-process-app.js';
import { postPanelForm } from '../support/panel-form.js';
import { makePdf } from '../support/pdf.js';
import { TelegramSimulator } from '../support/telegram-simulator.js';
import { makeRar } from '../support/rar.js';
import { makeZip } from '../support/zip.js';
import { pageImage } from '../support/comics.js';
import { PageFastPath } from '../../src/readvault/pages/page-fast-path.js';
import { ResizedPageCache } from '../../src/readvault/pages/resized-page-cache.js';

// NYPL's OPDS client parser (CommonJS): its default export is the parser class.
const { default: OPDSParser, AcquisitionFeed, NavigationFeed } = opdsFeedParser;

const COMIC_INFO = `<?xml version="1.0" encoding="utf-8"?>
<ComicInfo xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <Series>Harbor Tales</Series>
  <Number>1</Number>
  <Volume>1</Volume>
  <Title>Arrival &amp; Departure</Title>
  <Writer>Ana Writer</Writer>
  <Penciller>Pen Artist</Penciller>
  <Summary>Boats come in.</Summary>
  <Genre>Drama, Sea</Genre>
  <LanguageISO>ja</LanguageISO>
  <Manga>YesAndRightToLeft</Manga>
</ComicInfo>`;

describe('ReadVault: comics ingest into series and chapters, pages read by range', () => {
  let db: TestDatabase;
  let server: InProcessApp;
  let admin: TestClient;
  let files: LinkServer;
  /** Page bytes as the sources hold them, in reading order. */
  let cbzPages: Buffer[];
  let cbrPages: Buffer[];

  before(async () => {
    db = await startTestDatabase();
    files = await startLinkServer();
    server = await startInProcessApp({
      MONGODB_URI: db.uri,
      ROLE: 'all',
      INGEST_ALLOW_HOSTS: files.host,
    });
    admin = await signInAdmin(server);
    cbzPages = [
      await pageImage(2000, 300, 10, 'jpeg'),
      await pageImage(2000, 300, 20, 'jpeg'),
      await pageImage(900, 300, 30, 'jpeg'),
    ];
    cbrPages = [await pageImage(600, 200, 40, 'png'), await pageImage(600, 200, 50, 'png')];
  });
  after(async () => {
    await server?.close();
    await files?.close();
    await db?.stop();
  });

  const url = (name: string, bytes: Buffer) => files.url(name, bytes);
  const ingest = async (link: string) => {
    const submitted = await admin.post('/api/ingest', { url: link });
    assert.equal(submitted.status, 202, JSON.stringify(submitted.body));
    return eventually(
      async () => (await admin.get(`/api/ingest/${String(submitted.body.taskId)}`)).body,
      (task) => task.state === 'done' || task.state === 'failed',
      { timeoutMs: 90000, intervalMs: 200, what: `task for ${link}` },
    );
  };
  const raw = async (path: string) => {
    const res = await fetch(`${server.url}${path}`);
    return {
      status: res.status,
      type: res.headers.get('content-type'),
      bytes: Buffer.from(await res.arrayBuffer()),
    };
  };

  let seriesId: string;

  it('files a CBZ with ComicInfo.xml, a CBR and a PDF as chapters 1, 2 and 2.5 of one series', async () => {
    // Entry names out of order on purpose: pages are read in natural order (page2 before page10).
    const cbz = makeZip([
      { name: 'Harbor Tales/page10.jpg', content: cbzPages[2] },
      { name: 'Harbor Tales/page1.jpg', content: cbzPages[0] },
      { name: 'Harbor Tales/page2.jpg', content: cbzPages[1], deflate: true },
      { name: 'ComicInfo.xml', content: Buffer.from(COMIC_INFO) },
    ]);
    const first = await ingest(url('Harbor Tales v01 c001.cbz', cbz));
    assert.equal(first.state, 'done', String(first.error));
    const cbr = makeRar([
      { name: '01.png', content: cbrPages[0] },
      { name: '02.png', content: cbrPages[1] },
    ]);
    const second = await ingest(url('[Group] Harbor Tales v01 c002.cbr', cbr));
    assert.equal(second.state, 'done', String(second.error));
    const pdf = makePdf([
      { jpeg: await pageImage(400, 600, 60, 'jpeg'), width: 400, height: 600 },
      { jpeg: await pageImage(400, 600, 70, 'jpeg'), width: 400, height: 600 },
    ]);
    const third = await ingest(url('Harbor Tales - Chapter 2.5.pdf', pdf));
    assert.equal(third.state, 'done', String(third.error));

    for (const task of [first, second, third]) {
      const items = task.items as { kind: string; state: string; note: string }[];
      assert.deepEqual(
        items.map((item) => [item.kind, item.state]),
        [['comic', 'done']],
      );
    }
    assert.equal(first.titleId, second.titleId, 'one series');
    assert.equal(first.titleId, third.titleId, 'one series');
    seriesId = String(first.titleId);

    const series = await admin.get(`/api/readvault/series/${seriesId}`);
    assert.equal(series.status, 200, JSON.stringify(series.body));
    assert.equal(series.body.name, 'Harbor Tales');
    assert.equal(series.body.writer, 'Ana Writer');
    assert.equal(series.body.readingDirection, 'rtl');
    assert.deepEqual(series.body.genres, ['Drama', 'Sea']);
    // ComicInfo describes the library title until a catalogue does (browse by genre, the title page).
    const title = await admin.get(`/api/titles/${seriesId}`);
    assert.deepEqual(title.body.genres, ['Drama', 'Sea']);
    assert.equal(title.body.overview, 'Boats come in.');
    const chapters = series.body.chapters as {
      id: string;
      volume: number | null;
      number: number;
      title: string | null;
      pageCount: number;
    }[];
    assert.deepEqual(
      chapters.map((c) => [c.volume, c.number, c.title, c.pageCount]),
      [
        [1, 1, 'Arrival & Departure', 3],
        [1, 2, null, 2],
        [null, 2.5, null, 2],
      ],
    );
  });

  it('serves every page byte-exact from the stored CBZ, in reading order', async () => {
    const { chapters } = (await admin.get(`/api/readvault/series/${seriesId}`)).body as unknown as {
      chapters: { id: string }[];
    };
    const first = await admin.get(`/api/readvault/chapters/${encodeURIComponent(chapters[0].id)}`);
    assert.equal(first.status, 200);
    assert.equal(first.body.sourceFormat, 'cbz');
    const pages = first.body.pages as { number: number; width: number; url: string }[];
    assert.deepEqual(
      pages.map((p) => p.width),
      [2000, 2000, 900],
    );
    for (const [index, page] of pages.entries()) {
      const got = await raw(page.url);
      assert.equal(got.status, 200);
      assert.equal(got.type, 'image/jpeg');
      assert.ok(got.bytes.equals(cbzPages[index]), `page ${index + 1} byte-exact`);
    }
    // Page turns skip Express (PageFastPath) but answer as the route does; conditional requests go on.
    const fastPath = server.app.get(PageFastPath);
    const handle = fastPath.handle.bind(fastPath);
    const taken: boolean[] = [];
    fastPath.handle = (req, res, next) => {
      const took = handle(req, res, next);
      taken.push(took);
      return took;
    };
    let turned: Response;
    try {
      turned = await fetch(`${server.url}${pages[0].url}`);
    } finally {
      fastPath.handle = handle;
    }
    assert.deepEqual(taken, [true], 'a page turn is taken by the fast path');
    assert.equal(turned.headers.get('cache-control'), 'public, max-age=604800, immutable');
    assert.match(String(turned.headers.get('content-security-policy')), /default-src 'self'/);
    assert.ok(turned.headers.get('x-request-id'));
    assert.equal(turned.headers.get('set-cookie'), null, 'no guest cookie on page bytes');
    const etag = String(turned.headers.get('etag'));
    const again = await fetch(`${server.url}${pages[0].url}`, { headers: { 'if-none-match': etag } });
    assert.equal(again.status, 304);
    const cbr = await admin.get(`/api/readvault/chapters/${encodeURIComponent(chapters[1].id)}`);
    assert.equal(cbr.body.sourceFormat, 'cbr');
    for (const [index, page] of (cbr.body.pages as { url: string }[]).entries()) {
      const got = await raw(page.url);
      assert.equal(got.type, 'image/png');
      assert.ok(got.bytes.equals(cbrPages[index]), `CBR page ${index + 1} byte-exact`);
    }
    const pdf = await admin.get(`/api/readvault/chapters/${encodeURIComponent(chapters[2].id)}`);
    assert.equal(pdf.body.sourceFormat, 'pdf');
    const rendered = await raw((pdf.body.pages as { url: string }[])[1].url);
    assert.equal(rendered.type, 'image/jpeg');
    const meta = await sharp(rendered.bytes).metadata();
    assert.equal(meta.format, 'jpeg');
    assert.ok(meta.width! > 0 && meta.height! > meta.width!, 'a portrait page rendered from the PDF');
  });

  it('resizes to the listed width at or below the request, never up, and caches it', async () => {
    const { chapters } = (await admin.get(`/api/readvault/series/${seriesId}`)).body as unknown as {
      chapters: { id: string }[];
    };
    const base = `/api/readvault/chapters/${encodeURIComponent(chapters[0].id)}/pages`;
    const phone = await raw(`${base}/1?width=1284`);
    assert.equal(phone.status, 200);
    assert.equal(phone.type, 'image/webp');
    assert.equal((await sharp(phone.bytes).metadata()).width, 1080);
    const again = await raw(`${base}/1?width=1170`);
    assert.ok(again.bytes.equals(phone.bytes), 'the same snapped width: the cached page');
    assert.equal((await sharp((await raw(`${base}/1?width=100`)).bytes).metadata()).width, 320);
    // Page 3 is 900 px wide: 1440 would enlarge it, so the original comes back.
    const wide = await raw(`${base}/3?width=1440`);
    assert.ok(wide.bytes.equals(cbzPages[2]));
  });

  it('answers many readers asking one page at one width at once with one resize, all the same bytes', async (t) => {
    const { chapters } = (await admin.get(`/api/readvault/series/${seriesId}`)).body as unknown as {
      chapters: { id: string }[];
    };
    const base = `/api/readvault/chapters/${encodeURIComponent(chapters[0].id)}/pages`;
    // Cache writes are watched (and restored after the test) by node:test's mock.
    const put = t.mock.method(server.app.get(ResizedPageCache), 'put');
    const answers = await Promise.all(Array.from({ length: 12 }, () => raw(`${base}/2?width=480`)));
    assert.deepEqual(
      answers.map((answer) => answer.status),
      answers.map(() => 200),
    );
    assert.ok(answers.every((answer) => answer.bytes.equals(answers[0].bytes)));
    assert.equal((await sharp(answers[0].bytes).metadata()).width, 480);
    assert.equal(put.mock.callCount(), 1, 'resized and written once');
    // A cache that cannot write (a full disk) costs the next reader a resize, not the page.
    put.mock.mockImplementation(() => Promise.reject(new Error('ENOSPC: no space left on device')));
    const unkept = await raw(`${base}/2?width=720`);
    assert.equal(unkept.status, 200);
    assert.equal((await sharp(unkept.bytes).metadata()).width, 720);
  });

  it('answers a HEAD or a revalidation of a page not resized yet from the chapter record, without resizing', async (t) => {
    const { chapters } = (await admin.get(`/api/readvault/series/${seriesId}`)).body as unknown as {
      chapters: { id: string }[];
    };
    const chapterId = encodeURIComponent(chapters[0].id);
    const page = `${server.url}/api/readvault/chapters/${chapterId}/pages/3?width=480`;
    // Cache writes are watched (and restored after the test) by node:test's mock.
    const put = t.mock.method(server.app.get(ResizedPageCache), 'put');
    const head = await fetch(page, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.headers.get('content-type'), 'image/webp');
    assert.equal(head.headers.get('cache-control'), 'public, max-age=604800, immutable');
    const etag = String(head.headers.get('etag'));
    assert.match(etag, /-w480"$/);
    const revalidated = await fetch(page, { headers: { 'if-none-match': etag } });
    assert.equal(revalidated.status, 304);
    assert.equal(revalidated.headers.get('etag'), etag);
    assert.equal(put.mock.callCount(), 0, 'nothing resized');
    const got = await fetch(page);
    assert.equal(got.headers.get('etag'), etag);
    const bytes = Buffer.from(await got.arrayBuffer());
    assert.equal(put.mock.callCount(), 1);
    const again = await fetch(page, { method: 'HEAD' });
    assert.equal(again.headers.get('content-length'), String(bytes.length), 'known once resized');
  });

  it('answers bad widths with 400 and pages out of range with 404', async () => {
    const { chapters } = (await admin.get(`/api/readvault/series/${seriesId}`)).body as unknown as {
      chapters: { id: string }[];
    };
    const base = `/api/readvault/chapters/${encodeURIComponent(chapters[0].id)}/pages`;
    for (const width of ['abc', '100000', '0', '1.5']) {
      const res = await admin.get(`${base}/1?width=${width}`);
      assert.equal(res.status, 400, width);
      assert.equal(res.body.error, 'bad_request');
    }
    const beyond = await admin.get(`${base}/4`);
    assert.equal(beyond.status, 404);
    assert.match(String(beyond.body.message), /pages 1 to 3/);
    assert.equal((await admin.get(`${base}/x`)).status, 400);
    assert.equal((await admin.get('/api/readvault/chapters/nothing-here')).status, 404);
  });

  it('fails a comic without images, an encrypted CBR and a page too wide, each with its reason', async () => {
    const empty = await ingest(
      url('Empty v01 c001.cbz', makeZip([{ name: 'notes.txt', content: Buffer.from('no pictures') }])),
    );
    assert.equal(empty.state, 'failed');
    assert.match(String(empty.error), /no images in it|not media/);
    const locked = await ingest(
      url('Locked v01 c001.cbr', makeRar([{ name: '01.png', content: cbrPages[0] }], { encrypted: true })),
    );
    assert.equal(locked.state, 'failed');
    assert.match(String(locked.error), /encrypted/);
    const panorama = await pageImage(20_000, 200, 90, 'png');
    const wide = await ingest(url('Wide Page c001.cbz', makeZip([{ name: '001.png', content: panorama }])));
    assert.equal(wide.state, 'failed');
    assert.match(String(wide.error), /20000×200 px, over the limit of 16383 px wide/);
  });

  it('files a 60,000 px webtoon strip as pages of at most 4096 px that read back and resize', async () => {
    const strip = await pageImage(800, 60_000, 100, 'png');
    const task = await ingest(url('Long Scroll c001.cbz', makeZip([{ name: '001.png', content: strip }])));
    assert.equal(task.state, 'done', String(task.error));
    assert.match(JSON.stringify(task.items), /chapter 1, 15 pages/);
    const { chapters } = (await admin.get(`/api/readvault/series/${String(task.titleId)}`))
      .body as unknown as {
      chapters: { id: string }[];
    };
    const chapter = (await admin.get(`/api/readvault/chapters/${encodeURIComponent(chapters[0].id)}`))
      .body as unknown as { pages: { width: number; height: number }[] };
    assert.equal(chapter.pages.length, 15);
    assert.ok(chapter.pages.every((page) => page.width === 800 && page.height <= 4096));
    assert.equal(
      chapter.pages.reduce((sum, page) => sum + page.height, 0),
      60_000,
    );
    const pagePath = (n: number) =>
      `/api/readvault/chapters/${encodeURIComponent(chapters[0].id)}/pages/${n}`;
    const last = await raw(pagePath(15));
    assert.equal(last.status, 200);
    const meta = await sharp(last.bytes).metadata();
    assert.deepEqual([meta.format, meta.width, meta.height], ['png', 800, chapter.pages[14].height]);
    const resized = await raw(`${pagePath(8)}?width=480`);
    assert.equal(resized.status, 200);
    assert.equal(resized.type, 'image/webp');
    assert.equal((await sharp(resized.bytes).metadata()).width, 480);
  });

  it('serves a damaged page as a 422 placeholder while the rest of the chapter reads', async () => {
    const whole = await pageImage(2000, 600, 100, 'jpeg');
    // The header survives (ingest reads the size from it); the picture data is cut off.
    const damaged = whole.subarray(0, Math.floor(whole.length * 0.4));
    const pages = [await pageImage(2000, 600, 110, 'jpeg'), damaged, await pageImage(2000, 600, 120, 'jpeg')];
    const task = await ingest(
      url('Broken Glass c001.cbz', makeZip(pages.map((content, n) => ({ name: `${n + 1}.jpg`, content })))),
    );
    assert.equal(task.state, 'done', String(task.error));
    const series = await admin.get(`/api/readvault/series/${String(task.titleId)}`);
    const chapterId = (series.body.chapters as { id: string }[])[0].id;
    const base = `${server.url}/api/readvault/chapters/${encodeURIComponent(chapterId)}/pages`;
    const asImage = { headers: { accept: 'image/avif,image/webp,image/svg+xml,image/*,*/*;q=0.8' } };

    const placeholder = await fetch(`${base}/2?width=720`, asImage);
    assert.equal(placeholder.status, 422);
    assert.equal(placeholder.headers.get('content-type'), 'image/svg+xml');
    assert.match(await placeholder.text(), /Page 2 cannot be shown/);
    const told = await admin.get(
      `/api/readvault/chapters/${encodeURIComponent(chapterId)}/pages/2?width=720`,
    );
    assert.equal(told.status, 422);
    assert.equal(told.body.error, 'unprocessable_page');
    assert.match(String(told.body.message), /Page 2 cannot be decoded/);
    for (const n of [1, 3]) {
      const res = await fetch(`${base}/${n}?width=720`, asImage);
      assert.equal(res.status, 200, `page ${n}`);
      assert.equal((await sharp(Buffer.from(await res.arrayBuffer())).metadata()).width, 720);
      const original = await raw(`/api/readvault/chapters/${encodeURIComponent(chapterId)}/pages/${n}`);
      assert.ok(original.bytes.equals(pages[n - 1]));
    }
  });

  it('leaves nothing stored or filed when a comic fails', async () => {
    const { MongoConnection } = await import('../../src/core/database/mongo-connection.js');
    const db = server.app.get(MongoConnection).connection;
    const mediaDir = join(server.config.dataDir, 'media');
    const snapshot = async () => ({
      files: await db.collection('media_files').countDocuments(),
      chapters: await db.collection('chapters').countDocuments(),
      titles: await db.collection('titles').countDocuments(),
      stored: existsSync(mediaDir) ? readdirSync(mediaDir, { recursive: true }).length : 0,
    });
    const before = await snapshot();
    const jpeg = await pageImage(300, 400, 130, 'jpeg');
    const locked = await ingest(
      url('Sealed v01 c001.pdf', makePdf([{ jpeg, width: 300, height: 400 }], { encrypted: true })),
    );
    assert.equal(locked.state, 'failed');
    assert.match(String(locked.error), /the PDF is encrypted/);
    const tall = await ingest(
      url(
        'Sealed v01 c002.cbz',
        makeZip([
          { name: '001.jpg', content: jpeg },
          { name: '002.png', content: await pageImage(20_000, 200, 140, 'png') },
        ]),
      ),
    );
    assert.equal(tall.state, 'failed');
    assert.match(String(tall.error), /20000×200 px/);
    assert.deepEqual(await snapshot(), before);
  });

  it('fails the second of two items of a pack that are the same chapter, and lets go of its CBZ', async () => {
    const { MongoConnection } = await import('../../src/core/database/mongo-connection.js');
    const db = server.app.get(MongoConnection).connection;
    const filesBefore = await db.collection('media_files').countDocuments();
    const groupA = makeZip([{ name: '01.jpg', content: await pageImage(300, 400, 150, 'jpeg') }]);
    const groupB = makeZip([{ name: '01.jpg', content: await pageImage(300, 400, 160, 'jpeg') }]);
    const pack = makeZip([
      { name: 'Twin Scans c012 [GroupA].cbz', content: groupA },
      { name: 'Twin Scans c012 [GroupB].cbz', content: groupB },
    ]);
    const task = await ingest(url('Twin Scans pack.zip', pack));
    assert.equal(task.state, 'done', String(task.error));
    const items = task.items as { name: string; state: string; error?: string; fileId?: string }[];
    assert.deepEqual(
      items.map((item) => [item.name, item.state]),
      [
        ['Twin Scans c012 [GroupA].cbz', 'done'],
        ['Twin Scans c012 [GroupB].cbz', 'failed'],
      ],
    );
    assert.equal(
      items[1].error,
      'chapter 12 is already in this batch (Twin Scans c012 [GroupA].cbz); not filed twice',
    );
    assert.equal(items[1].fileId ?? null, null);
    const series = await admin.get(`/api/readvault/series/${String(task.titleId)}`);
    const chapters = series.body.chapters as { id: string; number: number }[];
    assert.deepEqual(
      chapters.map((chapter) => chapter.number),
      [12],
    );
    // Only GroupA's CBZ is kept, read by the one chapter; GroupB's is gone rather than orphaned.
    assert.equal(await db.collection('media_files').countDocuments(), filesBefore + 1);
    const chapter = await db.collection('chapters').findOne({ _id: chapters[0].id as never });
    const users = await db.collection('comic_file_users').findOne({ _id: String(chapter?.fileId) as never });
    assert.deepEqual(users?.chapterIds, [chapters[0].id]);
  });

  it('OPDS 1.2: feeds parse as OPDS, PSE streams pages at the app width, Basic auth takes app passwords only', async () => {
    const created = await admin.post('/api/auth/app-passwords', { label: 'Panels' });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const basic = (user: string, password: string) => ({
      authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`,
    });
    const auth = basic('admin', String(created.body.password));
    const opds = async (path: string, headers = auth) => {
      const res = await fetch(`${server.url}${path}`, { headers });
      return { status: res.status, headers: res.headers, text: await res.text() };
    };
    const parser = new OPDSParser();

    const root = await opds('/opds/v1.2/catalog');
    assert.equal(root.status, 200, root.text);
    assert.match(
      String(root.headers.get('content-type')),
      /application\/atom\+xml;\s*profile=opds-catalog;\s*kind=navigation/,
    );
    const rootFeed = await parser.parse(root.text);
    assert.ok(rootFeed instanceof NavigationFeed);
    const latestLink = rootFeed.entries[0].links.find((l) => l.rel === 'subsection')!;

    const latest = await parser.parse((await opds(latestLink.href)).text);
    assert.ok(latest instanceof NavigationFeed);
    const harbor = latest.entries.find((entry) => entry.title === 'Harbor Tales');
    assert.ok(harbor, latest.entries.map((e) => e.title).join(', '));
    assert.ok(latest.links.some((l) => l.rel === 'search'));

    const seriesXml = (await opds(harbor.links[0].href)).text;
    const series = await parser.parse(seriesXml);
    assert.ok(series instanceof AcquisitionFeed);
    assert.deepEqual(
      series.entries.map((entry) => entry.title),
      ['Harbor Tales Vol. 1 Ch. 1 Arrival & Departure', 'Harbor Tales Vol. 1 Ch. 2', 'Harbor Tales Ch. 2.5'],
    );
    assert.deepEqual(
      series.entries[0].authors.map((a) => a.name),
      ['Ana Writer', 'Pen Artist'],
    );
    assert.deepEqual(
      [...seriesXml.matchAll(/pse:count="(\d+)"/g)].map((m) => Number(m[1])),
      [3, 2, 2],
    );

    const first = series.entries[0];
    const stream = first.links.find((l) => l.rel === 'http://vaemendis.net/opds-pse/stream')!;
    const pse = await fetch(
      `${server.url}${stream.href.replace('{pageNumber}', '1').replace('{maxWidth}', '1284')}`,
      { headers: auth },
    );
    assert.equal(pse.status, 200);
    assert.equal(
      (await sharp(Buffer.from(await pse.arrayBuffer())).metadata()).width,
      1080,
      'page 2, snapped',
    );
    const original = await fetch(
      `${server.url}${stream.href.replace('{pageNumber}', '2').replace('{maxWidth}', '2000')}`,
      {
        headers: auth,
      },
    );
    assert.ok(Buffer.from(await original.arrayBuffer()).equals(cbzPages[2]), 'PSE page 2 is the third page');
    // Pages an app streams count as read: the last one finishes the chapter for this account.
    const chapterOne = first.id.replace('urn:streamvault:chapter:', '');
    await eventually(
      async () =>
        (await admin.get(`/api/readvault/chapters/${encodeURIComponent(chapterOne)}/progress`)).body,
      (saved) => saved.page === 3 && saved.finished === true,
      { what: 'progress from PSE page fetches' },
    );

    const acquisition = first.links.find((l) => l.rel === 'http://opds-spec.org/acquisition')!;
    const download = await fetch(`${server.url}${acquisition.href}`, { headers: auth });
    assert.equal(download.status, 200);
    assert.equal(download.headers.get('content-type'), 'application/vnd.comicbook+zip');
    const cbz = Buffer.from(await download.arrayBuffer());
    assert.equal(cbz.subarray(0, 4).toString('latin1'), 'PK\x03\x04');
    assert.ok(cbz.includes(cbzPages[1]), 'the stored CBZ holds the pages as they were');

    const searched = await parser.parse((await opds('/opds/v1.2/search?q=harb')).text);
    assert.ok(searched instanceof NavigationFeed);
    // A repeated q is one search too many: a 400 that says so, not a 500.
    const twice = await opds('/opds/v1.2/search?q=harb&q=tales');
    assert.equal(twice.status, 400);
    assert.match(twice.text, /q must be one text of 1 to 200 characters/);
    assert.deepEqual(
      searched.entries.map((entry) => entry.title),
      ['Harbor Tales'],
    );
    // Navigation: A–Z and genres from the catalog index, continue reading from the reader's progress.
    assert.deepEqual(
      rootFeed.entries.map((entry) => entry.title),
      ['Latest series', 'Series A–Z', 'Genres', 'Continue reading'],
    );
    const byName = await parser.parse((await opds('/opds/v1.2/series/a-z')).text);
    assert.ok(byName instanceof NavigationFeed);
    const names = byName.entries.map((entry) => entry.title);
    assert.ok(names.includes('Harbor Tales'), names.join(', '));
    assert.deepEqual(
      names,
      [...names].sort((a, b) => a.localeCompare(b)),
    );
    const genresXml = (await opds('/opds/v1.2/genres')).text;
    const genres = await parser.parse(genresXml);
    assert.ok(genres instanceof NavigationFeed);
    const sea = genres.entries.find((entry) => entry.title === 'Sea');
    assert.ok(sea, genres.entries.map((e) => e.title).join(', '));
    assert.match(genresXml, /href="\/opds\/v1\.2\/genres\/sea"[^>]*thr:count="1"/i);
    const inGenre = await parser.parse((await opds(sea.links[0].href)).text);
    assert.ok(inGenre instanceof NavigationFeed);
    assert.deepEqual(
      inGenre.entries.map((entry) => entry.title),
      ['Harbor Tales'],
    );
    assert.equal((await opds('/opds/v1.2/genres/Nothing%20Like%20It')).status, 200);

    const chapterTwo = (series.entries[1].id ?? '').replace('urn:streamvault:chapter:', '');
    const read = await admin.request(
      'PUT',
      `/api/readvault/chapters/${encodeURIComponent(chapterTwo)}/progress`,
      {
        json: { page: 1 },
      },
    );
    assert.equal(read.status, 200, JSON.stringify(read.body));
    const continueXml = (await opds('/opds/v1.2/continue')).text;
    const reading = await parser.parse(continueXml);
    assert.ok(reading instanceof AcquisitionFeed);
    assert.deepEqual(
      reading.entries.map((entry) => entry.title),
      ['Harbor Tales Vol. 1 Ch. 2'],
    );
    assert.match(continueXml, /pse:count="2" pse:lastRead="0" pse:lastReadDate="/);

    const description = await opds('/opds/v1.2/search.xml');
    assert.match(description.text, /template="\/opds\/v1\.2\/search\?q=\{searchTerms\}"/);

    for (const headers of [
      basic('admin', 'svp_wrong'),
      basic('admin', TEST_ADMIN_PASSWORD), // the account password is not an app password
      basic('someone-else', String(created.body.password)),
      {},
    ]) {
      const refused = await opds('/opds/v1.2/catalog', headers as typeof auth);
      assert.equal(refused.status, 401);
      assert.match(String(refused.headers.get('www-authenticate')), /^Basic realm="StreamVault OPDS"/);
    }
  });

  it("keeps a guest's reading progress when it signs in, and refuses nonsense pages", async () => {
    const { chapters } = (await admin.get(`/api/readvault/series/${seriesId}`)).body as unknown as {
      chapters: { id: string }[];
    };
    const progress = `/api/readvault/chapters/${encodeURIComponent(chapters[0].id)}/progress`;
    const visitor = new TestClient(server.url);
    assert.equal((await visitor.get('/')).status, 200); // the guest cookie
    const saved = await visitor.request('PUT', progress, { json: { page: 2 } });
    assert.equal(saved.status, 200, JSON.stringify(saved.body));
    assert.deepEqual([saved.body.page, saved.body.pageCount, saved.body.finished], [2, 3, false]);
    for (const page of [0, 1.5, 'two', 1e9]) {
      const refused = await visitor.request('PUT', progress, { json: { page } });
      assert.equal(refused.status, 400, String(page));
      assert.equal(refused.body.error, 'bad_request');
    }
    const { UserService } = await import('../../src/auth/user.service.js');
    await server.app
      .get(UserService)
      .create({ username: 'reader', password: 'reader-password', role: 'viewer' });
    await visitor.login('reader', 'reader-password');
    const mine = await visitor.get(progress);
    assert.equal(mine.body.page, 2, "the guest's page is the account's now");
    const row = (await visitor.get('/api/progress/continue')).body as unknown as { chapterId: string }[];
    assert.deepEqual(
      row.map((item) => item.chapterId),
      [chapters[0].id],
    );
  });

  it('admin CMS: lists volumes and chapters, chooses the cover, re-reads ComicInfo, deletes a chapter', async () => {
    const page = `/admin/library/${seriesId}`;
    const cms = await admin.get(page);
    assert.equal(cms.status, 200);
    const html = String(cms.body);
    assert.match(html, /Volumes and chapters <small>\(3\)<\/small>/);
    assert.match(html, /<strong>Ch\. 1<\/strong> · Arrival &amp; Departure <small>3 pages · cover<\/small>/);
    const { chapters } = (await admin.get(`/api/readvault/series/${seriesId}`)).body as unknown as {
      chapters: { id: string; title: string | null }[];
    };
    const action = (chapterId: string, what: string) =>
      `/admin/library/${seriesId}/chapters/${encodeURIComponent(chapterId)}/${what}`;

    const cover = await postPanelForm(server.url, admin, page, action(chapters[1].id, 'cover'), {
      page: '2',
    });
    assert.equal(cover.status, 303, cover.html);
    assert.match(String((await admin.get(page)).body), /alt="Cover: page 2"/);
    // The site's title page shows it (Handlebars writes "=" as &#x3D; in attributes).
    const coverSrc = `/api/readvault/chapters/${encodeURIComponent(chapters[1].id)}/pages/2?width&#x3D;480`;
    assert.ok(String((await admin.get(`/title/${seriesId}`)).body).includes(`src="${coverSrc}"`));
    const beyond = await postPanelForm(server.url, admin, page, action(chapters[1].id, 'cover'), {
      page: '9',
    });
    assert.notEqual(beyond.status, 303);

    // A title spoiled in the records comes back from the stored CBZ's ComicInfo.xml.
    const { MongoConnection } = await import('../../src/core/database/mongo-connection.js');
    const db = server.app.get(MongoConnection).connection;
    await db.collection('chapters').updateOne({ _id: chapters[0].id as never }, { $set: { title: 'Wrong' } });
    const reread = await postPanelForm(server.url, admin, page, action(chapters[0].id, 'comic-info'), {});
    assert.equal(reread.status, 303, reread.html);
    assert.match(
      decodeURIComponent(String(reread.location)),
      /Vol\. 1 · Ch\. 1 · Arrival & Departure, right to left/,
    );
    assert.equal(
      (await admin.get(`/api/readvault/chapters/${encodeURIComponent(chapters[0].id)}`)).body.title,
      'Arrival & Departure',
    );
    const noInfo = await postPanelForm(server.url, admin, page, action(chapters[1].id, 'comic-info'), {});
    assert.notEqual(noInfo.status, 303, 'the CBR had no ComicInfo.xml');

    const doomed = await db.collection('chapters').findOne({ _id: chapters[2].id as never });
    assert.ok(doomed?.fileId);
    const files = await db.collection('media_files').countDocuments();
    const deleted = await postPanelForm(server.url, admin, page, action(chapters[2].id, 'delete'), {});
    assert.equal(deleted.status, 303, deleted.html);
    const after = (await admin.get(`/api/readvault/series/${seriesId}`)).body.chapters as { id: string }[];
    assert.deepEqual(
      after.map((c) => c.id),
      [chapters[0].id, chapters[1].id],
    );
    assert.equal(
      (await admin.get(`/api/readvault/chapters/${encodeURIComponent(chapters[2].id)}`)).status,
      404,
    );
    assert.equal(await db.collection('media_files').countDocuments(), files - 1);
    // Forgotten like any deleted file: the record goes, its bytes are queued for the deletion drain.
    assert.equal(await db.collection('media_files').findOne({ _id: doomed.fileId }), null);
  });
});

/** The store on a simulated Telegram channel (2 MiB parts), as the Telegram store tests run it. */
const TELEGRAM_TEST_ENV = {
  STORAGE: 'telegram',
  TELEGRAM_PART_SIZE: '2',
  TELEGRAM_API_ID: '12345',
  TELEGRAM_API_HASH: '0123456789abcdef0123456789abcdef',
  TELEGRAM_STORAGE_CHANNEL: '-1001234567890',
  TELEGRAM_SESSIONS: 'simulated',
};

describe('ReadVault on Telegram storage: a page is one or two block reads, not the archive', () => {
  let db: TestDatabase;
  let server: InProcessApp;
  let admin: TestClient;
  let files: LinkServer;
  const telegram = new TelegramSimulator({ sessions: ['s1', 's2'], latencyMs: 5 });

  before(async () => {
    db = await startTestDatabase();
    files = await startLinkServer();
    server = await startInProcessApp(
      {
        MONGODB_URI: db.uri,
        ROLE: 'all',
        INGEST_ALLOW_HOSTS: files.host,
        ...TELEGRAM_TEST_ENV,
      },
      { telegram },
    );
    admin = await signInAdmin(server);
  });
  after(async () => {
    await server?.close();
    await files?.close();
    await db?.stop();
  });

  it('serves every page of a CBZ and a CBR byte-exact from the stored parts', async () => {
    // Pages of random bytes inside a valid PNG would not decode; big JPEGs of noise do, and make the
    // CBZ span several 1 MiB blocks and two 2 MiB parts.
    const noisy = async (seed: number) =>
      sharp(
        Buffer.from(Array.from({ length: 700 * 700 * 3 }, (_, n) => (n * 2654435761 + seed * 97) % 251)),
        {
          raw: { width: 700, height: 700, channels: 3 },
        },
      )
        .jpeg({ quality: 95 })
        .toBuffer();
    const pages = await Promise.all([1, 2, 3, 4, 5, 6].map(noisy));
    const sources = [
      {
        name: 'Deep Sea v02 c010.cbz',
        bytes: makeZip(pages.map((content, n) => ({ name: `${n + 1}.jpg`, content }))),
      },
      {
        name: 'Deep Sea v02 c011.cbr',
        bytes: makeRar(pages.slice(0, 3).map((content, n) => ({ name: `${n + 1}.jpg`, content }))),
      },
    ];
    for (const source of sources) {
      const submitted = await admin.post('/api/ingest', { url: files.url(source.name, source.bytes) });
      const task = await eventually(
        async () => (await admin.get(`/api/ingest/${String(submitted.body.taskId)}`)).body,
        (t) => t.state === 'done' || t.state === 'failed',
        { timeoutMs: 90000, intervalMs: 200, what: source.name },
      );
      assert.equal(task.state, 'done', String(task.error));
      const series = await admin.get(`/api/readvault/series/${String(task.titleId)}`);
      const chapter = (series.body.chapters as { id: string; number: number }[]).find(
        (c) => c.number === (source.name.endsWith('.cbz') ? 10 : 11),
      )!;
      const detail = await admin.get(`/api/readvault/chapters/${encodeURIComponent(chapter.id)}`);
      for (const [index, page] of (detail.body.pages as { url: string }[]).entries()) {
        const before = telegram.calls.length;
        const res = await fetch(`${server.url}${page.url}`);
        const bytes = Buffer.from(await res.arrayBuffer());
        assert.ok(bytes.equals(pages[index]), `${source.name} page ${index + 1} byte-exact`);
        if (index > 0) {
          // The directory is cached after the first page: a page costs the blocks it spans.
          const blocks = telegram.callsSince(before).length;
          assert.ok(blocks <= Math.ceil(pages[index].length / (1024 * 1024)) + 1, `${blocks} block reads`);
        }
      }
    }
  });
});
