// Catalog read paths at scale on FerretDB (the embedded default): search (1–3 words, prefixes, a
// typo; and queries of common words), the newest page, a name (A→Z) page, a genre page, a title page with its files
// (from the file cards, and by one `_id` read per file as before) and a file lookup, each answered
// by the catalog index and the old way (database scans) in the same run, as p50/p95 and the ratio;
// search also with no word counted as common (as before); plus seed time, index rebuild time and
// Redis memory per title. The searches are timed again once the rebuild's background recount of the
// file totals has finished (the first rows run beside it).
//   npm run bench -- catalog   (BENCH_SIZES=10000,100000 BENCH_FILES=10 BENCH_REPS=40 BENCH_OLD_REPS=3; 0 skips the old way)
import { performance } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import { seededRandom, syntheticTitles } from '../src/library/bulk/synthetic-titles.js';
import { TitleImportService } from '../src/library/bulk/title-import.service.js';
import { CatalogIndexRepository } from '../src/library/catalog/catalog-index.repository.js';
import { CatalogQueryService } from '../src/library/catalog/catalog-query.service.js';
import { CatalogRebuilder } from '../src/library/catalog/catalog-rebuilder.js';
import { CatalogScanReader } from '../src/library/catalog/catalog-scan.reader.js';
import { LibraryService } from '../src/library/library.service.js';
import { FileCardRepository } from '../src/library/file-card.repository.js';
import { MediaFileRepository } from '../src/library/media-file.repository.js';
import { type InProcessApp, startInProcessApp } from '../test/support/in-process-app.js';
import { TEST_REDIS_URL } from '../test/support/redis.js';
import { withBenchApp } from './support/bench-app.js';
import { percentile, timings } from './support/timings.js';

const SIZES = (process.env.BENCH_SIZES ?? '10000,100000').split(',').map(Number);
const FILES = Number(process.env.BENCH_FILES ?? 10);
const REPS = Number(process.env.BENCH_REPS ?? 40);
const OLD_REPS = Number(process.env.BENCH_OLD_REPS ?? 3);
const SEARCHES = ['harbor', 'silent harb', 'the crimson empire', 'gardne', 'chateau', 'shin', 'lantern of'];
/** Words most titles hold ("the" is in about half the synthetic names, "of" in a fifth). */
const COMMON_SEARCHES = ['the', 'the ring', 'of the', 'the silent', 'harbor of the', 'the a'];

async function main(server: InProcessApp) {
  // The same index searched as before common words were told apart (no word is common): a streamer
  // (library services, no queues) on the same database and Redis prefix.
  const before = await startInProcessApp(
    {
      MONGODB_URI: server.config.mongo.uri,
      ROLE: 'streamer',
      REDIS_PREFIX: server.config.redis.prefix,
      CATALOG_COMMON_WORD_TITLES: '100000000',
    },
    { logLevel: 'error' },
  );
  const catalogBefore = before.app.get(CatalogQueryService);
  const raw = new Redis(TEST_REDIS_URL);
  const app = server.app;
  const importer = app.get(TitleImportService);
  const catalog = app.get(CatalogQueryService);
  const scan = app.get(CatalogScanReader);
  const library = app.get(LibraryService);
  const files = app.get(MediaFileRepository);
  const index = app.get(CatalogIndexRepository);
  const generated = syntheticTitles(seededRandom(42), FILES);
  let seeded = 0;
  try {
    await app.get(CatalogRebuilder).rebuild('bench: empty start');
    for (const size of SIZES) {
      const seedStart = performance.now();
      while (seeded < size) {
        const batch = Array.from({ length: Math.min(500, size - seeded) }, () => generated.next().value!);
        seeded += (await importer.importBatch(batch)).imported;
      }
      const seedSeconds = (performance.now() - seedStart) / 1000;
      const rebuildStart = Date.now();
      const rebuild = (await app.get(CatalogRebuilder).rebuild('bench'))!;
      let bytes = 0;
      let cursor = '0';
      do {
        const [next, keys] = await raw.scan(
          cursor,
          'MATCH',
          index.keyPattern(rebuild.generation),
          'COUNT',
          1000,
        );
        cursor = next;
        const pipeline = raw.pipeline();
        for (const key of keys) pipeline.memory('USAGE', key, 'SAMPLES', '0');
        for (const [, value] of (await pipeline.exec()) ?? []) bytes += Number(value ?? 0);
      } while (cursor !== '0');
      const cardBytes = await app.get(FileCardRepository).bytes();

      // Sample titles for the title page and files for the file lookup (by _id, as pages do).
      const sample = (await catalog.list({ limit: 50, offset: 100 })).items;
      const sampleTitles = await library.titlesByIds(sample.map((card) => card.id));
      const fileIds = sampleTitles.flatMap((t) => [
        ...t.fileIds,
        ...t.seasons.flatMap((s) => s.episodes.flatMap((e) => e.fileIds)),
      ]);
      const genre = (await catalog.facets()).genres[3]?.value ?? 'Drama';

      const cases: {
        name: string;
        ours: (i: number) => Promise<unknown>;
        /** The same answer the old way (a database scan); none where the row only compares variants. */
        old?: (i: number) => Promise<unknown>;
      }[] = [
        {
          name: 'search (1–3 words, prefix, typo)',
          ours: (i) => catalog.search(SEARCHES[i % SEARCHES.length], { limit: 24 }),
          old: (i) => scan.search({ q: SEARCHES[i % SEARCHES.length], limit: 24, offset: 0 }),
        },
        {
          name: 'search, before common words',
          ours: (i) => catalogBefore.search(SEARCHES[i % SEARCHES.length], { limit: 24 }),
        },
        {
          name: 'search, common words ("the")',
          ours: (i) => catalog.search(COMMON_SEARCHES[i % COMMON_SEARCHES.length], { limit: 24 }),
          old: (i) => scan.search({ q: COMMON_SEARCHES[i % COMMON_SEARCHES.length], limit: 24, offset: 0 }),
        },
        {
          name: 'common words, before',
          ours: (i) => catalogBefore.search(COMMON_SEARCHES[i % COMMON_SEARCHES.length], { limit: 24 }),
        },
        {
          name: 'newest page',
          ours: (i) => catalog.list({ limit: 24, offset: (i % 5) * 24 }),
          old: (i) => scan.list({ sort: 'newest', limit: 24, offset: (i % 5) * 24 }),
        },
        {
          name: 'name page (A→Z)',
          ours: (i) => catalog.list({ sort: 'name', limit: 24, offset: (i % 5) * 24 }),
          old: (i) => scan.list({ sort: 'name', limit: 24, offset: (i % 5) * 24 }),
        },
        {
          name: `genre page (${genre})`,
          ours: (i) => catalog.list({ genre, limit: 24, offset: (i % 5) * 24 }),
          old: (i) => scan.list({ genre, sort: 'newest', limit: 24, offset: (i % 5) * 24 }),
        },
        {
          name: 'title page with files (cards)',
          ours: async (i) => {
            const title = await library.requireTitle(sampleTitles[i % sampleTitles.length]._id);
            return library.fileCardsOfTitle(title);
          },
          old: async (i) => {
            const title = await library.requireTitle(sampleTitles[i % sampleTitles.length]._id);
            return files.findByTitle(title._id);
          },
        },
        {
          name: 'title page, files by _id (before)',
          ours: async (i) => {
            const title = await library.requireTitle(sampleTitles[i % sampleTitles.length]._id);
            return library.filesOfTitle(title);
          },
        },
        {
          name: 'file by id (old: by checksum)',
          ours: (i) => library.requireFile(fileIds[i % fileIds.length]),
          old: (i) => files.findByChecksum(`none-${i}`, 'local'),
        },
      ];
      console.log(
        `\n${size} titles × ${FILES} files on FerretDB 1.24 (SQLite): seeded in ${seedSeconds.toFixed(1)} s; ` +
          `index rebuild ${(rebuild.ms / 1000).toFixed(1)} s; Redis ${(bytes / size).toFixed(0)} bytes/title ` +
          `(${(bytes / 1024 / 1024).toFixed(1)} MiB) + file cards ${(cardBytes / size).toFixed(0)} bytes/title ` +
          `(${(cardBytes / 1024 / 1024).toFixed(1)} MiB)`,
      );
      console.log(
        `${'query'.padEnd(34)} ${'index p50/p95 ms'.padStart(18)} ${'old p50/p95 ms'.padStart(18)}   old/index p50`,
      );
      for (const c of cases) {
        const ours = await timings(REPS, c.ours);
        const old = c.old && OLD_REPS > 0 ? await timings(OLD_REPS, c.old) : undefined;
        const fmt = (v: number[]) =>
          `${percentile(v, 50).toFixed(1)}/${percentile(v, 95).toFixed(1)}`.padStart(18);
        const ratio = old ? `${(percentile(old, 50) / percentile(ours, 50)).toFixed(0)}×` : '';
        console.log(`${c.name.padEnd(34)} ${fmt(ours)} ${old ? fmt(old) : '-'.padStart(18)}   ${ratio}`);
      }
      // The rows above start right after the rebuild, which recounts the file totals in the
      // background (a scan of every file record in this process): search again once it is done.
      const totalsKey = `${server.config.redis.prefix}:library:file-totals`;
      const waitStart = performance.now();
      while (Number((await raw.hget(totalsKey, 'counted')) ?? 0) < rebuildStart) {
        if (performance.now() - waitStart > 10 * 60_000) throw new Error('file totals never recounted');
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
      const again = [
        { name: 'search, after the recount', ours: cases[0].ours },
        { name: 'common words, after the recount', ours: cases[2].ours },
      ];
      for (const c of again) {
        const after = await timings(REPS, c.ours);
        const fmt = `${percentile(after, 50).toFixed(1)}/${percentile(after, 95).toFixed(1)}`.padStart(18);
        console.log(`${c.name.padEnd(34)} ${fmt}`);
      }
    }
  } finally {
    raw.disconnect();
    await before.close();
  }
}

void withBenchApp({ ROLE: 'worker' }, main, { logLevel: 'error' });
