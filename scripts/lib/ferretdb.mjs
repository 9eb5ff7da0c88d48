import { execFileSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { step } from './log.mjs';
import { commandExists, mustRun } from './run.mjs';

export const FERRETDB_VERSION = 'v1.24.2';
/**
 * What `.tools/bin/ferretdb` must have been built from: the version plus our patches. A binary whose
 * stamp (`ferretdb.build` beside it) differs — or that has none, as one built before the patches —
 * is rebuilt. Bump the suffix whenever a patch changes.
 */
export const FERRETDB_BUILD_ID = `${FERRETDB_VERSION}+streamvault.1`;
const MODULE = 'github.com/FerretDB/FerretDB';
const PATCHES = join(dirname(fileURLToPath(import.meta.url)), 'ferretdb-patches');

export function ferretDbBinary(root) {
  return join(root, '.tools', 'bin', 'ferretdb');
}

function buildStamp(binary) {
  return `${binary}.build`;
}

/** True when the binary exists and was built from this FERRETDB_BUILD_ID. */
export function ferretDbIsCurrent(binary) {
  const stamp = buildStamp(binary);
  return existsSync(binary) && existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === FERRETDB_BUILD_ID;
}

/** Replaces exactly one occurrence of `from`, or fails loudly: a patch never applies half-way. */
function replaceOnce(source, file, from, to) {
  const path = join(source, file);
  const text = readFileSync(path, 'utf8');
  const at = text.indexOf(from);
  if (at < 0 || text.indexOf(from, at + 1) >= 0) {
    throw new Error(
      `FerretDB patch does not apply to ${file} (expected one occurrence of ${JSON.stringify(from.slice(0, 60))})`,
    );
  }
  writeFileSync(path, text.slice(0, at) + to + text.slice(at + from.length));
}

const UPSTREAM_ID_PUSHDOWN = `if params.Filter.Len() == 1 {
		v, _ := params.Filter.Get("_id")
		switch v.(type) {
		case string, types.ObjectID:
			%PUSHDOWN%whereClause = fmt.Sprintf(\` WHERE %s = ?\`, metadata.IDColumn)
			args = []any{string(must.NotFail(sjson.MarshalSingleValue(v)))}
		}
	}`;

/**
 * The SQLite backend's `_id` pushdown (scripts/lib/ferretdb-patches/sqlite_id_pushdown.go explains it):
 * upstream's WHERE clause names `->'$._id'` while the `_id_` index is on `->"_id"`, so SQLite never uses
 * the index and every `_id` lookup, update and delete reads the whole table; and `_id: {$in}`,
 * `{$eq}` or `_id` beside other conditions are not pushed down at all. After the patch all of them
 * are answered from the `_id_` index (find, count, distinct, update, findAndModify, delete, explain).
 */
function applyPatches(source) {
  copyFileSync(
    join(PATCHES, 'sqlite_id_pushdown.go'),
    join(source, 'internal/backends/sqlite/sqlite_id_pushdown.go'),
  );
  replaceOnce(
    source,
    'internal/backends/sqlite/metadata/metadata.go',
    `IDColumn = DefaultColumn + "->'$._id'"`,
    `IDColumn = DefaultColumn + "->'_id'" // StreamVault patch: the expression the _id_ index is on`,
  );
  const collection = 'internal/backends/sqlite/collection.go';
  replaceOnce(
    source,
    collection,
    UPSTREAM_ID_PUSHDOWN.replace('%PUSHDOWN%', ''),
    'whereClause, args = prepareIDWhereClause(params.Filter) // StreamVault patch',
  );
  replaceOnce(
    source,
    collection,
    UPSTREAM_ID_PUSHDOWN.replace('%PUSHDOWN%', 'filterPushdown = true\n\t\t\t'),
    'whereClause, args = prepareIDWhereClause(params.Filter) // StreamVault patch\n\tfilterPushdown = whereClause != ""',
  );
}

/**
 * Builds FerretDB from the Go module proxy into .tools/bin, once per FERRETDB_BUILD_ID. A plain
 * `go install ...@v1.24.2` compiles but panics at start ("Invalid build/version/version.txt") because
 * the module archive lacks the generated version file; so we take the same module source, add that
 * one file, apply our patches (above), and build it.
 */
export async function ensureFerretDb(root) {
  const binary = ferretDbBinary(root);
  if (ferretDbIsCurrent(binary)) return binary;
  if (!commandExists('go')) {
    throw new Error('FerretDB is not built and Go is not installed; install Go, or set MONGODB_URI');
  }
  step(`building FerretDB ${FERRETDB_BUILD_ID} from the Go module proxy (once, about a minute)`);
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
  applyPatches(source);
  rmSync(buildStamp(binary), { force: true });
  await mustRun('go', ['build', '-buildvcs=false', '-trimpath', '-o', binary, './cmd/ferretdb'], {
    cwd: source,
    env: { ...process.env, CGO_ENABLED: '0' },
  });
  writeFileSync(buildStamp(binary), `${FERRETDB_BUILD_ID}\n`);
  rmSync(join(tools, 'src'), { recursive: true, force: true });
  return binary;
}
