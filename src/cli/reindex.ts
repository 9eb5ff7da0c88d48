import { CatalogRebuilder } from '../library/catalog/catalog-rebuilder.js';
import { runLibraryCommand } from './cli-context.js';

/** `npm run reindex`: rebuilds the catalog index from the database now and says how long it took. */
void runLibraryCommand('reindex', async (app) => {
  const result = await app.get(CatalogRebuilder).rebuild('npm run reindex');
  if (!result)
    throw new Error('another process is rebuilding the index right now; try again when it is done');
  process.stdout.write(
    `reindex: ${result.titles} title(s) indexed as generation ${result.generation} in ${(result.ms / 1000).toFixed(1)} s\n`,
  );
});
