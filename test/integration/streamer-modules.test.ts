import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startApp } from '../support/app-process.js';
import { startTestDatabase, type TestDatabase } from '../support/database.js';
import { tempDir } from '../support/media.js';
import { PROJECT_ROOT } from '../support/paths.js';

const TRACE_HOOK = join(PROJECT_ROOT, '.build', 'test', 'support', 'module-trace.js');

/** What the streamer must never load: other roles' libraries and code, and what only a manager needs. */
const NOT_ON_STREAMER = [
  /node_modules\/@nestjs\/swagger\//,
  /node_modules\/es-toolkit\//,
  /node_modules\/sharp\//,
  /node_modules\/execa\//,
  /node_modules\/node-unrar-js\//,
  /node_modules\/file-type\//,
  /node_modules\/tar-stream\//,
  /node_modules\/bullmq\//,
  /node_modules\/telegraf\//,
  /node_modules\/telegram\//,
  /node_modules\/pino-pretty\//,
  /node_modules\/handlebars\//, // loaded on the first page rendered (the player page, an error page)
  // Watch-party sockets are the managers' (the WsAdapter is installed for them only).
  /node_modules\/ws\//,
  /node_modules\/@nestjs\/platform-ws\//,
  /\/src\/ingest\//,
  /\/src\/readvault\/comic\//,
  /\/src\/readvault\/opds\//,
  /\/src\/auth\/auth-manager-parts\.js$/,
  /node_modules\/music-metadata\//,
  /\/src\/(bot|admin|site|franchise)\//,
  // Music's byte calls (stream, download, getCoverArt) run on streamers; its catalog, API and ingest do not.
  /\/src\/music\/(catalog|user|web)\//,
  /\/src\/music\/ingest\/(?!cover-art\.js$)/,
  /\/src\/music\/subsonic\/subsonic(\.controller|\.service|-mapper)\.js$/,
  /\/src\/music\/music-(manager|worker)-parts\.js$/,
];

/** Boots `role` with the module-trace hook, checks it answers, stops it and returns what it loaded. */
async function modulesLoadedBy(role: string, db: TestDatabase): Promise<string[]> {
  const dir = tempDir('sv-module-trace-');
  const trace = join(dir, 'modules.txt');
  const app = await startApp({
    ROLE: role,
    MONGODB_URI: db.uri,
    MODULE_TRACE_FILE: trace,
    NODE_OPTIONS: `--import=${TRACE_HOOK}`,
  });
  try {
    const health = await app.get('/healthz');
    assert.equal(health.status, 200, await health.text());
  } finally {
    await app.stop();
  }
  const modules = readFileSync(trace, 'utf8').trim().split('\n');
  rmSync(dir, { recursive: true, force: true });
  return modules;
}

describe('a streamer loads only what it runs (module cache after boot)', () => {
  let db: TestDatabase;
  before(async () => {
    db = await startTestDatabase();
  });
  after(() => db?.stop());

  it('ROLE=streamer: no swagger, sharp, execa, unrar WebAssembly, handlebars, queues, bot, ingest or manager code', async () => {
    const modules = await modulesLoadedBy('streamer', db);
    // The trace sees both module systems: the app's ES modules and CommonJS packages.
    assert.ok(modules.some((file) => file.endsWith('/src/stream/fast-path/stream-fast-path.js')));
    assert.ok(modules.some((file) => file.endsWith('/src/readvault/readvault.controller.js')));
    assert.ok(modules.some((file) => file.endsWith('/src/music/subsonic/subsonic-media.controller.js')));
    assert.ok(modules.some((file) => /node_modules\/mongoose\/lib\//.test(file)));
    const offending = modules.filter((file) => NOT_ON_STREAMER.some((pattern) => pattern.test(file)));
    assert.deepEqual(offending, []);
  });

  it('ROLE=worker still loads the comic extractor and its libraries (the trace sees lazy imports)', async () => {
    const modules = await modulesLoadedBy('worker', db);
    for (const expected of [
      /\/src\/readvault\/comic\/comic-extractor\.js$/,
      /node_modules\/execa\//,
      /node_modules\/node-unrar-js\//,
      /node_modules\/sharp\//,
      /\/src\/music\/ingest\/audio\.processor\.js$/,
      /node_modules\/music-metadata\//,
    ]) {
      assert.ok(
        modules.some((file) => expected.test(file)),
        `${expected} not loaded by the worker`,
      );
    }
  });
});
