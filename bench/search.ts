// Title search latency on FerretDB (the embedded default): p50/p95 of TitleSearchService over a
// generated library, against the peer of a bare driver query that scans the same collection for the
// same prefix (the floor FerretDB's SQLite backend allows: it answers every filter with a table scan).
//   npm run bench -- search            (BENCH_TITLES=100000 BENCH_QUERIES=20 by default)
import { performance } from 'node:perf_hooks';
import { MongoConnection } from '../src/core/database/mongo-connection.js';
import { TitleSearchService } from '../src/library/title-search.service.js';
import { TitleRepository } from '../src/library/title.repository.js';
import { type InProcessApp } from '../test/support/in-process-app.js';
import { generateTitles } from '../test/support/title-generator.js';
import { withBenchApp } from './support/bench-app.js';
import { percentile } from './support/timings.js';

const TITLES = Number(process.env.BENCH_TITLES ?? 100_000);
const QUERIES = Number(process.env.BENCH_QUERIES ?? 20);
const QUERY_WORDS = ['lant', 'orbit ciph', 'shadow', 'sa', 'iron crown', 'mead', 'velvet drift', 'north'];

async function time(work: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await work();
  return performance.now() - start;
}

async function main(server: InProcessApp) {
  const titles = server.app.get(TitleRepository);
  const loadStart = performance.now();
  const generated = generateTitles(TITLES);
  for (let i = 0; i < generated.length; i += 5000) await titles.insertMany(generated.slice(i, i + 5000));
  console.log(`loaded ${TITLES} titles in ${((performance.now() - loadStart) / 1000).toFixed(1)} s`);

  const search = server.app.get(TitleSearchService);
  const raw = server.app.get(MongoConnection).connection.collection('titles');
  const ours: number[] = [];
  const peer: number[] = [];
  for (let i = 0; i < QUERIES; i++) {
    const q = QUERY_WORDS[i % QUERY_WORDS.length];
    ours.push(await time(() => search.search({ q, page: 1, pageSize: 24 })));
    const first = q.split(' ')[0];
    peer.push(
      await time(() =>
        raw.find({ searchTokens: { $regex: `^${first}` } }, { projection: { _id: 1 } }).toArray(),
      ),
    );
  }
  const row = (name: string, values: number[]) =>
    console.log(
      `${name.padEnd(28)} p50 ${percentile(values, 50).toFixed(0).padStart(6)} ms   p95 ${percentile(values, 95).toFixed(0).padStart(6)} ms`,
    );
  console.log(`\ntitle search over ${TITLES} titles on FerretDB 1.24 (SQLite), ${QUERIES} queries`);
  row('TitleSearchService.search', ours);
  row('peer: bare driver scan', peer);
  console.log(`ratio (ours / peer) p50 ${(percentile(ours, 50) / percentile(peer, 50)).toFixed(2)}x`);
}

void withBenchApp({ ROLE: 'worker' }, main);
