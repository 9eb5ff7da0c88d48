import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const SCRIPTS = fileURLToPath(new URL('../../../scripts/', import.meta.url));

/** Every .mjs the two set-up commands run, with its static imports. */
function staticImports(): [file: string, specifier: string][] {
  const files = [
    ...readdirSync(SCRIPTS).filter((name) => name.endsWith('.mjs')),
    ...readdirSync(join(SCRIPTS, 'lib'))
      .filter((name) => name.endsWith('.mjs'))
      .map((name) => join('lib', name)),
  ];
  return files.flatMap((file) =>
    [...readFileSync(join(SCRIPTS, file), 'utf8').matchAll(/^import\s[^;]*?from\s+'([^']+)'/gms)].map(
      (match): [string, string] => [file, match[1]],
    ),
  );
}

describe('the set-up scripts on a fresh clone', () => {
  it('import only Node built-ins and each other at load time: node_modules does not exist yet', () => {
    const imports = staticImports();
    assert.ok(imports.length > 10, 'the scripts were found and read');
    const outside = imports.filter(([, specifier]) => !/^(node:|\.\.?\/)/.test(specifier));
    assert.deepEqual(outside, [], 'packages are imported inside the functions that run after set-up');
  });
});
