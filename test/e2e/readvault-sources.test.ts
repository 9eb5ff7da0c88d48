import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { pageImage } from '../support/comics.js';
import { startTestDatabase, type TestDatabase } from '../support/database.js';
import { startFixtureServer } from '../support/fixture-server.js';
import { type TestClient } from '../support/http.js';
import { type InProcessApp, signInAdmin, startInProcessApp } from '../support/in-process-app.js';
import { ingestLink, type LinkServer, startLinkServer } from '../support/link-server.js';
import { tempDir } from '../support/media.js';
import { makePdf } from '../support/pdf.js';
import { makeRar } from '../support/rar.js';
import { TelegramSimulator } from '../support/telegram-simulator.js';
import { freePort, makeMultiFileTorrent, startSeeder, startTracker } from '../support/torrent.js';
import { makeZip } from '../support/zip.js';

const COMIC_INFO = `<?xml version="1.0" encoding="utf-8"?>
<ComicInfo><Series>Salt Roads</Series><Number>1</Number><Volume>1</Volume></ComicInfo>`;

/** The store on a simulated Telegram channel (2 MiB parts), as the Telegram store tests run it. */
const TELEGRAM_ENV = {
  STORAGE: 'telegram',
  TELEGRAM_PART_SIZE: '2',
  TELEGRAM_API_ID: '12345',
  TELEGRAM_API_HASH: '0123456789abcdef0123456789abcdef',
  TELEGRAM_STORAGE_CHANNEL: '-1001234567890',
  TELEGRAM_SESSIONS: 'simulated',
};

for (const store of ['local', 'telegram'] as const) {
  describe(`ReadVault sources into one series, every page byte-exact (${store} store)`, () => {
    let db: TestDatabase;
    let server: InProcessApp;
    let admin: TestClient;
    let links: LinkServer;
    let tracker: Awaited<ReturnType<typeof startTracker>>;
    let seeder: ReturnType<typeof startSeeder>;
    let torrentFile: Awaited<ReturnType<typeof startFixtureServer>>;
    /** Every chapter's page bytes as its source holds them (PDF pages are rendered: none). */
    const expected = new Map<number, Buffer[] | { count: number; width: number; height: number }>();

    before(async () => {
      db = await startTestDatabase();
      links = await startLinkServer();
      // A torrent of scanned chapters: a folder of pictures per chapter, seeded by a local aria2c.
      const folder = 'Salt Roads';
      const scans = [
        await pageImage(500, 700, 110, 'jpeg'),
        await pageImage(500, 700, 120, 'jpeg'),
        await pageImage(500, 700, 130, 'png'),
        await pageImage(500, 700, 140, 'jpeg'),
      ];
      const files = [
        { path: 'Chapter 03/01.jpg', content: scans[0] },
        { path: 'Chapter 03/02.jpg', content: scans[1] },
        { path: 'Chapter 03/10.png', content: scans[2] },
        { path: 'Chapter 04/01.jpg', content: scans[3] },
        { path: 'Chapter 04/02.jpg', content: scans[0] },
      ];
      expected.set(3, scans.slice(0, 3));
      expected.set(4, [scans[3], scans[0]]);
      const seederPort = await freePort();
      tracker = await startTracker(seederPort);
      const seedDir = tempDir('sv-comic-seed-');
      for (const file of files) {
        mkdirSync(dirname(join(seedDir, folder, file.path)), { recursive: true });
        writeFileSync(join(seedDir, folder, file.path), file.content);
      }
      const made = makeMultiFileTorrent(folder, files, tracker.announce);
      writeFileSync(join(seedDir, 'scans.torrent'), made.torrent);
      seeder = startSeeder(join(seedDir, 'scans.torrent'), seedDir, seederPort);
      torrentFile = await startFixtureServer({
        body: made.torrent,
        headers: { 'content-type': 'application/x-bittorrent' },
      });
      server = await startInProcessApp(
        {
          MONGODB_URI: db.uri,
          ROLE: 'all',
          INGEST_ALLOW_HOSTS: [links.port, torrentFile.port, tracker.port]
            .map((p) => `127.0.0.1:${p}`)
            .join(','),
          ...(store === 'telegram' ? TELEGRAM_ENV : {}),
        },
        store === 'telegram'
          ? { telegram: new TelegramSimulator({ sessions: ['s1', 's2'], latencyMs: 2 }) }
          : {},
      );
      admin = await signInAdmin(server);
    });
    after(async () => {
      await server?.close();
      await seeder?.stop();
      await Promise.all([torrentFile?.close(), tracker?.close(), links?.close()]);
      await db?.stop();
    });

    it('files a CBZ with ComicInfo.xml, a CBR, a PDF and a folder-of-images torrent as chapters of one series', async () => {
      const cbzPages = [await pageImage(600, 800, 10, 'jpeg'), await pageImage(600, 800, 20, 'png')];
      const cbz = makeZip([
        { name: 'p1.jpg', content: cbzPages[0] },
        { name: 'p2.png', content: cbzPages[1], deflate: true },
        { name: 'ComicInfo.xml', content: Buffer.from(COMIC_INFO) },
      ]);
      expected.set(1, cbzPages);
      const cbrPages = [await pageImage(600, 800, 30, 'png'), await pageImage(600, 800, 40, 'jpeg')];
      expected.set(2, cbrPages);
      const cbr = makeRar(
        cbrPages.map((content, n) => ({ name: `0${n + 1}.${n ? 'jpg' : 'png'}`, content })),
      );
      const pdf = makePdf([
        { jpeg: await pageImage(400, 600, 50, 'jpeg'), width: 400, height: 600 },
        { jpeg: await pageImage(400, 600, 60, 'jpeg'), width: 400, height: 600 },
      ]);
      expected.set(2.5, {
        count: 2,
        width: Math.ceil((400 / 72) * 150),
        height: Math.ceil((600 / 72) * 150),
      });

      const tasks = [
        await ingestLink(admin, links.url('whatever-name.cbz', cbz)),
        await ingestLink(admin, links.url('[Scans] Salt Roads v01 c002.cbr', cbr)),
        await ingestLink(admin, links.url('Salt Roads - Chapter 2.5.pdf', pdf)),
        await ingestLink(admin, torrentFile.url('/Salt.Roads.torrent'), { timeoutMs: 120_000 }),
      ];
      for (const task of tasks) assert.equal(task.state, 'done', String(task.error));
      assert.equal(tasks[3].engine, 'aria2');
      assert.deepEqual(
        (tasks[3].items as { kind: string; state: string }[]).map((item) => [item.kind, item.state]),
        [
          ['comic', 'done'],
          ['comic', 'done'],
        ],
        'each folder of pictures is one chapter',
      );
      const seriesIds = new Set(tasks.map((task) => String(task.titleId)));
      assert.equal(seriesIds.size, 1, 'one series');
      const series = await admin.get(`/api/readvault/series/${[...seriesIds][0]}`);
      assert.equal(series.body.name, 'Salt Roads');
      const chapters = series.body.chapters as { id: string; volume: number | null; number: number }[];
      assert.deepEqual(
        chapters.map((chapter) => chapter.number),
        [1, 2, 2.5, 3, 4],
      );

      for (const chapter of chapters) {
        const detail = await admin.get(`/api/readvault/chapters/${encodeURIComponent(chapter.id)}`);
        const pages = detail.body.pages as { url: string }[];
        const want = expected.get(chapter.number)!;
        if (Array.isArray(want)) {
          assert.equal(pages.length, want.length, `chapter ${chapter.number} pages`);
          for (const [index, page] of pages.entries()) {
            const res = await fetch(`${server.url}${page.url}`);
            assert.equal(res.status, 200);
            const bytes = Buffer.from(await res.arrayBuffer());
            assert.ok(bytes.equals(want[index]), `chapter ${chapter.number} page ${index + 1} byte-exact`);
          }
        } else {
          assert.equal(pages.length, want.count);
          for (const page of pages) {
            const bytes = Buffer.from(await (await fetch(`${server.url}${page.url}`)).arrayBuffer());
            const meta = await sharp(bytes).metadata();
            assert.deepEqual([meta.width, meta.height], [want.width, want.height], 'rendered at 150 dpi');
          }
        }
      }
    });
  });
}
