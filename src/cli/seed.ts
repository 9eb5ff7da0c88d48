import { parseArgs } from 'node:util';
import { syntheticTitles, seededRandom } from '../library/bulk/synthetic-titles.js';
import { TitleImportService } from '../library/bulk/title-import.service.js';
import { runLibraryCommand } from './cli-context.js';

const BATCH = 500;

/**
 * `npm run seed -- --titles N [--files-per-title K] [--seed S]`: fills the library with synthetic
 * titles and file records (no media bytes) through the library's bulk write path, so the catalog
 * index is kept as for real titles. Prints how long it took.
 */
void runLibraryCommand('seed', async (app) => {
  const { values } = parseArgs({
    options: {
      titles: { type: 'string' },
      'files-per-title': { type: 'string', default: '3' },
      seed: { type: 'string', default: '1' },
    },
  });
  const wanted = Number(values.titles);
  const filesPerTitle = Number(values['files-per-title']);
  if (!Number.isInteger(wanted) || wanted < 1 || wanted > 10_000_000) {
    throw new Error('usage: npm run seed -- --titles N [--files-per-title K] [--seed S]   (N ≥ 1)');
  }
  if (!Number.isInteger(filesPerTitle) || filesPerTitle < 0 || filesPerTitle > 500) {
    throw new Error('--files-per-title must be a whole number from 0 to 500');
  }
  const importer = app.get(TitleImportService);
  const titles = syntheticTitles(seededRandom(Number(values.seed) || 1), filesPerTitle);
  const began = Date.now();
  let imported = 0;
  let files = 0;
  let existing = 0;
  let lastReport = began;
  while (imported < wanted) {
    const batch = Array.from({ length: Math.min(BATCH, wanted - imported) }, () => titles.next().value!);
    const outcome = await importer.importBatch(batch);
    imported += outcome.imported;
    files += outcome.files;
    existing += outcome.existing;
    if (Date.now() - lastReport > 5000) {
      lastReport = Date.now();
      process.stdout.write(
        `seed: ${imported}/${wanted} titles (${((Date.now() - began) / 1000).toFixed(0)} s)\n`,
      );
    }
  }
  const seconds = (Date.now() - began) / 1000;
  process.stdout.write(
    `seed: ${imported} titles and ${files} files in ${seconds.toFixed(1)} s ` +
      `(${Math.round(imported / seconds)} titles/s; ${existing} generated names already taken, skipped)\n`,
  );
});
