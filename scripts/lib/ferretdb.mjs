import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { step } from './log.mjs';
import { commandExists, mustRun } from './run.mjs';

export const FERRETDB_VERSION = 'v1.24.2';
const MODULE = 'github.com/FerretDB/FerretDB';

export function ferretDbBinary(root) {
  return join(root, '.tools', 'bin', 'ferretdb');
}

/**
 * Builds FerretDB from the Go module proxy into .tools/bin, once. A plain `go install ...@v1.24.2`
 * compiles but panics at start ("Invalid build/version/version.txt") because the module archive lacks
 * the generated version file; so we take the same module source, add that one file, and build it.
 */
export async function ensureFerretDb(root) {
  const binary = ferretDbBinary(root);
  if (existsSync(binary)) return binary;
  if (!commandExists('go')) {
    throw new Error('FerretDB is not built and Go is not installed; install Go, or set MONGODB_URI');
  }
  step(`building FerretDB ${FERRETDB_VERSION} from the Go module proxy (once, about a minute)`);
  const tools = join(root, '.tools');
  const source = join(tools, 'src', `ferretdb-${FERRETDB_VERSION}`);
  mkdirSync(join(tools, 'bin'), { recursive: true });
  const downloaded = JSON.parse(
    execFileSync('go', ['mod', 'download', '-json', `${MODULE}@${FERRETDB_VERSION}`], { encoding: 'utf8' }),
  );
  if (downloaded.Error) throw new Error(`go mod download failed: ${downloaded.Error}`);
  rmSync(source, { recursive: true, force: true });
  cpSync(downloaded.Dir, source, { recursive: true });
  execFileSync('chmod', ['-R', 'u+w', source]); // the module cache is read-only
  writeFileSync(join(source, 'build', 'version', 'version.txt'), `${FERRETDB_VERSION}\n`);
  await mustRun('go', ['build', '-buildvcs=false', '-trimpath', '-o', binary, './cmd/ferretdb'], {
    cwd: source,
    env: { ...process.env, CGO_ENABLED: '0' },
  });
  rmSync(join(tools, 'src'), { recursive: true, force: true });
  return binary;
}
