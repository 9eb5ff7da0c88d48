import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The `views/` folder: found by walking up from this file (works from src/, dist/ and .build/). */
export function findViewsDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'views', 'layouts')) && existsSync(join(dir, 'package.json'))) return join(dir, 'views');
    const parent = dirname(dir);
    if (parent === dir) throw new Error('views/ folder not found next to package.json');
    dir = parent;
  }
}

/** Stylesheets and browser scripts, served at `/assets/` (the CSP allows no inline code). */
export function findAssetsDir(): string {
  return join(findViewsDir(), 'assets');
}
