#!/usr/bin/env node
// `npm run quickstart`: a one-box StreamVault on http://localhost:8080 (ROLE=all, local-disk storage).
// Starts FerretDB when MONGODB_URI is unset and redis-server when nothing answers on REDIS_URL.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { adminPasswordWorks } from './lib/admin-account.mjs';
import { fail, step } from './lib/log.mjs';
import { canConnect, redisAnswers } from './lib/net.mjs';
import { OneBox } from './lib/one-box.mjs';
import { startFerretDb, startRedis } from './lib/processes.mjs';
import { mustRun } from './lib/run.mjs';
import { ROOT, setup } from './setup.mjs';

const PORT = Number(process.env.PORT || 8080);
const DATA_DIR = resolve(ROOT, process.env.DATA_DIR || 'data');
const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
/** How long the app may take to listen: a first start on a slow disk builds its indexes first. */
const BOOT_TIMEOUT_S = Number(process.env.QUICKSTART_BOOT_TIMEOUT || 180);
const box = new OneBox();
const ADMIN_PASSWORD_FILE = 'admin-password';

/** The one-box admin password: generated on the first quickstart, reused after (it only sets the
 * password of an admin the app creates; see adminPasswordWorks). */
function adminPassword() {
  const file = join(DATA_DIR, ADMIN_PASSWORD_FILE);
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const password = randomBytes(12).toString('base64url');
  mkdirSync(DATA_DIR, { recursive: true });
  writeFileSync(file, `${password}\n`, { mode: 0o600 });
  return password;
}

/** Stops the app, then the databases, then exits: on Ctrl+C, SIGTERM, the app's exit, or a failure. */
async function shutdown(code, signal) {
  await box.stop(signal);
  process.exit(code);
}
// From the very start: a signal during set-up or build must stop the databases already started too.
for (const [signal, code] of [
  ['SIGINT', 130],
  ['SIGTERM', 143],
])
  process.on(signal, () => void shutdown(code, signal));
process.on('exit', () => box.abandon());

async function main() {
  if (!(BOOT_TIMEOUT_S > 0)) fail('QUICKSTART_BOOT_TIMEOUT: a number of seconds above 0');
  if (await canConnect('127.0.0.1', PORT))
    fail(`port ${PORT} is already in use; stop what runs there or set PORT`);
  const { ferretdb } = await setup({
    needDatabase: !process.env.MONGODB_URI,
    debian: process.env.SKIP_APT !== '1',
  });

  let mongoUri = process.env.MONGODB_URI;
  if (!mongoUri) {
    step('starting FerretDB (data in data/ferretdb)');
    const db = box.add(
      await startFerretDb({
        binary: ferretdb,
        dir: join(DATA_DIR, 'ferretdb'),
        stdio: 'inherit',
        ownProcessGroup: true,
      }),
    );
    mongoUri = db.uri;
  }
  let redisUrl = REDIS_URL;
  if (!(await redisAnswers(redisUrl))) {
    step('no Redis answers on REDIS_URL; starting redis-server (data in data/redis)');
    const redis = box.add(
      await startRedis({
        dir: join(DATA_DIR, 'redis'),
        persist: true,
        stdio: 'inherit',
        ownProcessGroup: true,
      }),
    );
    redisUrl = redis.url;
  }

  step('building');
  await mustRun('npm', ['run', '--silent', 'build'], { cwd: ROOT });
  const { loadOrCreateSecretKey } = await import(
    pathToFileURL(join(ROOT, 'dist/core/config/secret-key.js')).href
  );

  const env = {
    ...process.env,
    ROLE: process.env.ROLE || 'all',
    PORT: String(PORT),
    DATA_DIR,
    STORAGE: process.env.STORAGE || 'local',
    MONGODB_URI: mongoUri,
    REDIS_URL: redisUrl,
    SECRET_KEY: process.env.SECRET_KEY || loadOrCreateSecretKey(DATA_DIR),
    ADMIN_USERNAME: process.env.ADMIN_USERNAME || 'admin',
    ADMIN_PASSWORD: process.env.ADMIN_PASSWORD || adminPassword(),
  };
  // The app stays in the terminal's process group: Ctrl+C reaches it directly.
  const app = await box.startApp(process.execPath, ['dist/main.js'], {
    cwd: ROOT,
    env,
    stdio: 'inherit',
    port: PORT,
    bootTimeoutMs: BOOT_TIMEOUT_S * 1000,
  });
  void app.exit.then(({ code }) => shutdown(code ?? 0));
  step(`StreamVault is running: http://localhost:${PORT}  (health: http://localhost:${PORT}/healthz)`);
  if (await adminPasswordWorks(mongoUri, env.ADMIN_USERNAME, env.ADMIN_PASSWORD))
    step(`admin login: ${env.ADMIN_USERNAME} / ${env.ADMIN_PASSWORD}  (kept in data/${ADMIN_PASSWORD_FILE})`);
  else step('an admin account exists already; sign in with its password');
  step(`API and its docs: http://localhost:${PORT}/api/docs   Ctrl+C stops everything.`);
}

main().catch(async (error) => {
  await box.stop();
  fail(error.message);
});
