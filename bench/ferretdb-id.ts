// `_id` reads and writes on FerretDB's SQLite backend as the repositories send them (mongoose
// findById, updateOne / findOneAndUpdate by `_id`, `_id` beside a revision, `_id: {$in}`, deleteOne by
// `_id`) on a collection of BENCH_DOCS media_files, with the binary in FERRETDB_BIN (patched by
// scripts/lib/ferretdb.mjs) and, when FERRETDB_BASELINE_BIN names an unpatched build, with that too.
//   npm run bench -- ferretdb-id   (BENCH_DOCS=20000 BENCH_REPS=30)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mongoose, { Types } from 'mongoose';
import { ferretDbBinary } from '../scripts/lib/ferretdb.mjs';
import { startFerretDb } from '../scripts/lib/processes.mjs';
import { mediaFileSchema } from '../src/library/schemas/media-file.schema.js';
import { PROJECT_ROOT } from '../test/support/paths.js';
import { percentile, timings } from './support/timings.js';

const DOCS = Number(process.env.BENCH_DOCS ?? 20000);
const REPS = Number(process.env.BENCH_REPS ?? 30);

async function measure(label: string, binary: string): Promise<Map<string, number[]>> {
  const dir = mkdtempSync(join(tmpdir(), 'sv-bench-ferretdb-id-'));
  const server = await startFerretDb({ binary, dir });
  const connection = await mongoose.createConnection(server.uri).asPromise();
  const files = connection.model('MediaFile', mediaFileSchema);
  const results = new Map<string, number[]>();
  try {
    await files.createIndexes();
    const ids = Array.from({ length: DOCS }, () => new Types.ObjectId());
    for (let i = 0; i < DOCS; i += 1000) {
      await files.collection.insertMany(
        ids.slice(i, i + 1000).map((_id, j) => ({
          _id,
          storage: { kind: 'local', parts: [{ ref: `ref-${i + j}`, size: 1000 + j }] },
          size: 1000 + j,
          mime: 'video/mp4',
          fileName: `Some.Show.S01E${String(j % 99).padStart(2, '0')}.1080p.mkv`,
          streams: {
            video: [{ index: 0, codec: 'h264', width: 1920, height: 1080 }],
            audio: [],
            subtitles: [],
          },
          screenshots: [],
          revision: 0,
        })),
      );
    }
    const pick = (i: number) => ids[(i * 7919) % DOCS];
    results.set('findById', await timings(REPS, (i) => files.findById(pick(i)).lean().exec()));
    results.set(
      'updateOne {_id}',
      await timings(REPS, (i) => files.updateOne({ _id: pick(i) }, { $set: { fileName: `r${i}` } })),
    );
    results.set(
      'updateOne {_id, revision}',
      await timings(REPS, (i) => files.updateOne({ _id: pick(i), revision: 0 }, { $set: { duration: i } })),
    );
    results.set(
      'findOneAndUpdate {_id}',
      await timings(REPS, (i) =>
        files
          .findOneAndUpdate(
            { _id: pick(i) },
            { $set: { mime: 'video/x-matroska' } },
            { returnDocument: 'after' },
          )
          .lean()
          .exec(),
      ),
    );
    results.set(
      'find {_id: {$in: 24 ids}}',
      await timings(REPS, (i) =>
        files
          .find({ _id: { $in: Array.from({ length: 24 }, (_, k) => pick(i * 24 + k)) } })
          .lean()
          .exec(),
      ),
    );
    results.set('deleteOne {_id}', await timings(REPS, (i) => files.deleteOne({ _id: ids[DOCS - 1 - i] })));
  } finally {
    await connection.close();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(`measured ${label}`);
  return results;
}

async function main() {
  const patched = await measure('patched', process.env.FERRETDB_BIN || ferretDbBinary(PROJECT_ROOT));
  const baselineBin = process.env.FERRETDB_BASELINE_BIN;
  const baseline = baselineBin ? await measure('baseline', baselineBin) : undefined;
  const fmt = (v: number[]) => `${percentile(v, 50).toFixed(1)}/${percentile(v, 95).toFixed(1)}`.padStart(16);
  console.log(`\n${DOCS} media_files, ${REPS} reps each (ms)`);
  console.log(
    `${'query'.padEnd(28)} ${'patched p50/p95'.padStart(16)} ${baseline ? `${'upstream p50/p95'.padStart(16)}   upstream/patched p50` : ''}`,
  );
  for (const [name, ours] of patched) {
    const old = baseline?.get(name);
    console.log(
      `${name.padEnd(28)} ${fmt(ours)} ${old ? `${fmt(old)}   ${(percentile(old, 50) / percentile(ours, 50)).toFixed(0)}×` : ''}`,
    );
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
