// ReadVault pages, each against a peer or a budget measured in the same run.
//   npm run bench -- readvault
// 1. a page at its original size from the local store (the app, by range from the stored CBZ) vs nginx
//    serving the same image file: requests/s (≥ 0.7×), the app alone and behind nginx/streamvault.conf
//    (whose front cache keeps the default site's pages, as deployed)
// 2. the first page of a chapter on simulated Telegram at 100 ms per request (≤ 2 RTT + 20 ms), cold:
//    the central directory and the page each one aligned block read
// 3. a resized page from the disk cache: p95 (≤ 10 ms); the first resize of a 2000-px page: reported
import { chmodSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startStaticNginx, wrk } from './support/peers.js';
import { percentile } from './support/timings.js';
import { startNginx } from '../test/support/nginx.js';
import { comicInfo, pageImage } from '../test/support/comics.js';
import { ingestLink, type LinkServer, startLinkServer } from '../test/support/link-server.js';
import { startTestDatabase } from '../test/support/database.js';
import { type InProcessApp, signInAdmin, startInProcessApp } from '../test/support/in-process-app.js';
import { tempDir } from '../test/support/media.js';
import { TelegramSimulator } from '../test/support/telegram-simulator.js';
import { makeZip } from '../test/support/zip.js';

const LATENCY_MS = Number(process.env.BENCH_LATENCY_MS ?? 100);
const WRK_SECONDS = Number(process.env.BENCH_SECONDS ?? 5);

async function timed(url: string): Promise<number> {
  const started = performance.now();
  const res = await fetch(url);
  await res.arrayBuffer();
  if (!res.ok) throw new Error(`${url} answered ${res.status}`);
  return performance.now() - started;
}

const ms = (value: number) => `${value.toFixed(1)} ms`;

/** Chapters of 2000×3000 JPEG pages (a scanned manga page at print resolution). */
async function chapters(count: number) {
  const archives = [];
  for (let c = 1; c <= count; c++) {
    const pages = [];
    for (let p = 0; p < 4; p++) pages.push(await pageImage(2000, 3000, (c * 40 + p * 9) % 250, 'jpeg'));
    archives.push({
      name: `Bench Tide v01 c${String(c).padStart(3, '0')}.cbz`,
      pages,
      zip: makeZip([
        { name: 'ComicInfo.xml', content: comicInfo({ series: 'Bench Tide', number: c, volume: 1 }) },
        ...pages.map((content, n) => ({ name: `${n + 1}.jpg`, content })),
      ]),
    });
  }
  return archives;
}

async function ingestAll(
  server: InProcessApp,
  files: LinkServer,
  archives: Awaited<ReturnType<typeof chapters>>,
) {
  try {
    const admin = await signInAdmin(server);
    let seriesId = '';
    for (const archive of archives) {
      const task = await ingestLink(admin, files.url(archive.name, archive.zip));
      if (task.state !== 'done') throw new Error(`ingest failed: ${String(task.error)}`);
      seriesId = String(task.titleId);
    }
    const series = await admin.get(`/api/readvault/series/${seriesId}`);
    return (series.body.chapters as { id: string }[]).map((chapter) => chapter.id);
  } finally {
    await files.close();
  }
}

async function main() {
  const db = await startTestDatabase();
  let db2: Awaited<ReturnType<typeof startTestDatabase>> | undefined;
  const archives = await chapters(3);
  const results: string[] = [];
  try {
    // 1 and 3: local store.
    const archiveHost = await startLinkServer();
    const local = await startInProcessApp({
      MONGODB_URI: db.uri,
      ROLE: 'all',
      INGEST_ALLOW_HOSTS: archiveHost.host,
    });
    try {
      const ids = await ingestAll(local, archiveHost, archives);
      const pageUrl = (id: string, n: number, query = '') =>
        `${local.url}/api/readvault/chapters/${encodeURIComponent(id)}/pages/${n}${query}`;
      const imageDir = tempDir('sv-bench-pages-');
      chmodSync(imageDir, 0o755);
      writeFileSync(join(imageDir, 'page.jpg'), archives[0].pages[0]);
      const nginx = await startStaticNginx(imageDir);
      const front = await startNginx(new URL(local.url).host, local.config.stream.secret);
      try {
        await timed(pageUrl(ids[0], 1)); // the central directory, once
        const pagePath = new URL(pageUrl(ids[0], 1)).pathname;
        const rate = async (url: string) =>
          (await wrk(url, { connections: 32, seconds: WRK_SECONDS })).requestsPerSecond;
        const peer = await rate(`${nginx.url}/page.jpg`);
        const app = await rate(pageUrl(ids[0], 1));
        const behind = await rate(`${front.url}${pagePath}`);
        const ratio = (value: number) => `${(value / peer).toFixed(2)}×`;
        results.push(
          `page at original size (${(archives[0].pages[0].length / 1024).toFixed(0)} KiB), local store, nginx serving the file ${peer.toFixed(0)} req/s:`,
          `  the app alone ${app.toFixed(0)} req/s = ${ratio(app)}; behind nginx/streamvault.conf (front cache) ${behind.toFixed(0)} req/s = ${ratio(behind)} (target ≥ 0.7×)`,
        );
      } finally {
        await front.stop();
        await nginx.stop();
      }
      const firstResize = await timed(pageUrl(ids[1], 2, '?width=1080'));
      results.push(`first resize of a 2000×3000 page to 1080 px WebP: ${ms(firstResize)} (reported)`);
      const cached: number[] = [];
      for (let i = 0; i < 300; i++) cached.push(await timed(pageUrl(ids[1], 2, '?width=1080')));
      results.push(
        `resized page from the cache, 300 sequential requests: p50 ${ms(percentile(cached, 50))}, p95 ${ms(percentile(cached, 95))} (target p95 ≤ 10 ms)`,
      );
    } finally {
      await local.close();
    }

    // 2: simulated Telegram, every request LATENCY_MS.
    db2 = await startTestDatabase();
    const telegram = new TelegramSimulator({ sessions: ['s1', 's2'], latencyMs: LATENCY_MS });
    const archiveHost2 = await startLinkServer();
    const remote = await startInProcessApp(
      {
        // A database of its own: the same content must be stored again, on Telegram this time.
        MONGODB_URI: db2.uri,
        ROLE: 'all',
        INGEST_ALLOW_HOSTS: archiveHost2.host,
        STORAGE: 'telegram',
        TELEGRAM_API_ID: '12345',
        TELEGRAM_API_HASH: '0123456789abcdef0123456789abcdef',
        TELEGRAM_STORAGE_CHANNEL: '-1001234567890',
        TELEGRAM_SESSIONS: 'simulated',
      },
      { telegram },
    );
    try {
      const ids = await ingestAll(remote, archiveHost2, archives);
      const first: number[] = [];
      const second: number[] = [];
      for (const id of ids) {
        first.push(await timed(`${remote.url}/api/readvault/chapters/${encodeURIComponent(id)}/pages/1`));
        second.push(await timed(`${remote.url}/api/readvault/chapters/${encodeURIComponent(id)}/pages/2`));
      }
      results.push(
        `first page of a chapter on simulated Telegram (${LATENCY_MS} ms per request), cold: median ${ms(percentile(first, 50))}, worst ${ms(Math.max(...first))} (target ≤ ${2 * LATENCY_MS + 20} ms); next page ${ms(percentile(second, 50))}`,
      );
    } finally {
      await remote.close();
    }
  } finally {
    await db2?.stop();
    await db.stop();
  }
  console.log(
    `\nbench/readvault on ${cpus().length} CPUs, load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  for (const line of results) console.log(`  ${line}`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
