import { readdirSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

/**
 * The compiled test files (`.build/test/…/x.test.js`, relative to `root`) whose path contains `filter`,
 * read from the sources under test/ so a filter that matches nothing fails before anything is built.
 * The filter is matched against the path inside the project, so a checkout under e.g. /work/wt-ads does
 * not make "ads" match every file. Throws when nothing matches: `node --test` given no files would run
 * every test it finds instead.
 */
export function testFiles(root, filter = '') {
  const files = sources(join(root, 'test'))
    .map((path) => join('.build', relative(root, path)).replace(/\.ts$/, '.js'))
    .filter((path) => path.split(sep).join('/').includes(filter))
    .sort();
  if (files.length === 0)
    throw new Error(filter ? `no test file matches "${filter}"` : 'no test files under test/');
  return files;
}

function sources(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return name.endsWith('.test.ts') ? [path] : [];
  });
}
