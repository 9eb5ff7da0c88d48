// Viewer site pages at scale: server time (p50/p95) of home, browse, search and title pages over a
// generated library on FerretDB (the embedded default) with the Redis catalog index, beside the peer of
// the JSON API answering the same list; each page's own bytes (HTML + CSS + JS, gzip); and whether a
// page points anywhere but this origin. Titles come with BENCH_FILES file records each (seasons and
// episodes for series), written as `npm run seed` writes them, so the title page reads its files.
//   npm run bench -- site            (BENCH_TITLES=10000 BENCH_FILES=3 BENCH_REQUESTS=40 by default)
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { gzipSync } from 'node:zlib';
import { CatalogQueryService } from '../src/library/catalog/catalog-query.service.js';
import { LibraryService } from '../src/library/library.service.js';
import { seededRandom, syntheticTitles } from '../src/library/bulk/synthetic-titles.js';
import { TitleImportService } from '../src/library/bulk/title-import.service.js';
import { findAssetsDir } from '../src/core/views/views-dir.js';
import { startTestDatabase } from '../test/support/database.js';
import { freePort } from '../test/support/free-port.js';
import { startInProcessApp } from '../test/support/in-process-app.js';
import { percentile } from './support/timings.js';

const TITLES = Number(process.env.BENCH_TITLES ?? 10_000);
const FILES = Number(process.env.BENCH_FILES ?? 3);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 40);
const BUDGET_BYTES = 100 * 1024;
const HTML = { accept: 'text/html' };

/** The page's own scripts and stylesheets (from its HTML), as the browser would fetch them. */
function assetsOf(html: string): string[] {
  return [...html.matchAll(/(?:src|href)="(\/assets\/site\/[^"]+\.(?:js|css))"/g)].map((m) => m[1]);
}

function foreignReferences(html: string): string[] {
  // Links people follow (external ids) are not requests; anything the page loads is src/href of assets.
  return [
    ...html.matchAll(/<(?:img|script|link|source|track|video)\b[^>]*?(?:src|href)="(https?:)?\/\/[^"]*"/g),
  ].map((m) => m[0]);
}

async function main() {
  const db = await startTestDatabase();
  // Load first, then start the site on a fresh Redis prefix: the catalog index is built from the database.
  const loader = await startInProcessApp({ MONGODB_URI: db.uri, ROLE: 'worker' });
  const loadStart = performance.now();
  const generated = syntheticTitles(seededRandom(7), FILES);
  for (let loaded = 0; loaded < TITLES;) {
    const batch = Array.from({ length: Math.min(500, TITLES - loaded) }, () => generated.next().value!);
    loaded += (await loader.app.get(TitleImportService).importBatch(batch)).imported;
  }
  await loader.close();
  console.log(
    `loaded ${TITLES} titles × ${FILES} files in ${((performance.now() - loadStart) / 1000).toFixed(1)} s`,
  );

  const port = await freePort();
  const server = await startInProcessApp({
    MONGODB_URI: db.uri,
    ROLE: 'all',
    PORT: String(port),
    PUBLIC_URL: `http://127.0.0.1:${port}`,
  });
  try {
    const catalog = server.app.get(CatalogQueryService);
    const indexStart = performance.now();
    while ((await catalog.facets()).rebuilding) await new Promise((resolve) => setTimeout(resolve, 200));
    console.log(`catalog index ready in ${((performance.now() - indexStart) / 1000).toFixed(1)} s`);
    // The rebuild then counts the files (one scan of media_files): not while pages are measured.
    const totals = await server.app.get(LibraryService).fileTotals();
    console.log(
      `file totals (${totals.files} files) ready after ${((performance.now() - indexStart) / 1000).toFixed(1)} s`,
    );

    // A series (its page lists seasons, episodes and their files), from the middle of the library.
    const sample = (await catalog.list({ kind: 'series', sort: 'name', limit: 1, offset: 100 })).items[0];
    const genre = (await catalog.facets()).genres[0]?.value ?? '';
    const pages: Record<string, string> = {
      home: '/',
      browse: `/browse?kind=movie&genre=${encodeURIComponent(genre)}&sort=name&page=3`,
      search: '/search?q=shadow+riv',
      title: `/title/${sample.id}`,
      'peer: GET /api/titles': '/api/titles?kind=movie&sort=name&page=3&pageSize=24',
    };
    console.log(
      `\nviewer pages over ${TITLES} titles × ${FILES} files, FerretDB 1.24 (SQLite) + Redis catalog index, ` +
        `${REQUESTS} requests each (title page: ${sample.files} files)`,
    );
    // A returning visitor: the guest cookie the first page gave (a new guest per request would sign a
    // token every time, which real visitors do once).
    const first = await server.request('/', { headers: HTML });
    await first.text();
    const cookie = first.headers
      .getSetCookie()
      .map((line) => line.split(';')[0])
      .join('; ');
    const p95s: Record<string, number> = {};
    for (const [name, path] of Object.entries(pages)) {
      const times: number[] = [];
      let html = '';
      for (let i = 0; i < REQUESTS + 3; i++) {
        const start = performance.now();
        const res = await server.request(path, { headers: { ...HTML, cookie } });
        html = await res.text();
        if (!res.ok) throw new Error(`${path}: ${res.status}`);
        if (i >= 3) times.push(performance.now() - start); // the first few warm caches up
      }
      p95s[name] = percentile(times, 95);
      const own = [
        html,
        ...assetsOf(html).map((asset) => readFileSync(join(findAssetsDir(), asset.slice(8)), 'utf8')),
      ];
      const gzipped = own.reduce((sum, text) => sum + gzipSync(text).length, 0);
      const foreign = foreignReferences(html).length;
      console.log(
        `${name.padEnd(24)} p50 ${percentile(times, 50).toFixed(1).padStart(7)} ms   p95 ${p95s[name].toFixed(1).padStart(7)} ms` +
          (name.startsWith('peer')
            ? ''
            : `   own bytes gzip ${(gzipped / 1024).toFixed(1).padStart(5)} KiB ${gzipped <= BUDGET_BYTES ? '≤' : '>'} 100 KiB   other-origin refs ${foreign}`),
      );
    }
    const peer = p95s['peer: GET /api/titles'];
    console.log(`ratio browse page / JSON API (p95) ${(p95s.browse / peer).toFixed(2)}x`);
  } finally {
    await server.close();
    await db.stop();
  }
}

void main();
