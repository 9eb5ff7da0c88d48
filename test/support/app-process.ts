import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitForPort } from '../../scripts/lib/net.mjs';
import { eventually } from './eventually.js';
import { TestClient } from './http.js';
import { MAIN_JS, PROJECT_ROOT } from './paths.js';
import { TEST_REDIS_URL, uniqueRedisPrefix } from './redis.js';

export interface AppExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export const TEST_SECRET_KEY = 'test-secret-key-0123456789abcdef0123456789abcdef';

/**
 * Node flags tests run the app with: stack traces in TypeScript terms. The image runs without them
 * (`node main.js`), and a measurement of what it costs (bench/stream's RSS) passes `[]`: source
 * maps held for every module add ~5 MB to a streamer's RSS.
 */
export const TEST_NODE_FLAGS: readonly string[] = ['--enable-source-maps'];

/**
 * Runs the app as its own process — as the image does (`node main.js` + environment, plus `nodeFlags`)
 * — and collects its output. `env` overrides the test defaults (free port, temp DATA_DIR, unique Redis
 * prefix).
 */
export function runApp(
  env: Record<string, string | undefined>,
  entry = MAIN_JS,
  nodeFlags: readonly string[] = TEST_NODE_FLAGS,
) {
  // A caller-given DATA_DIR is shared (several processes of one install) and left in place.
  const ownDataDir = env.DATA_DIR === undefined;
  const dataDir = env.DATA_DIR ?? mkdtempSync(join(tmpdir(), 'sv-app-'));
  const child = spawn(process.execPath, [...nodeFlags, entry], {
    cwd: PROJECT_ROOT,
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'production',
      SECRET_KEY: TEST_SECRET_KEY,
      DATA_DIR: dataDir,
      REDIS_URL: TEST_REDIS_URL,
      REDIS_PREFIX: uniqueRedisPrefix(),
      LOG_LEVEL: 'info',
      // Catalogues on a closed loopback port unless a test starts the stub: nothing leaves the machine.
      TMDB_BASE_URL: 'http://127.0.0.1:9/3',
      JIKAN_BASE_URL: 'http://127.0.0.1:9/v4',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exit = new Promise<AppExit>((resolve) =>
    child.once('exit', (code, signal) => {
      if (ownDataDir) rmSync(dataDir, { recursive: true, force: true });
      resolve({ code, signal });
    }),
  );
  return {
    child,
    exit,
    stdout: () => stdout,
    stderr: () => stderr,
    /** Sends `signal` and waits; SIGKILL after 15 s so a hung app never outlives its test. */
    async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<AppExit> {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const guard = setTimeout(() => child.kill('SIGKILL'), 15000);
      const result = await exit;
      clearTimeout(guard);
      return result;
    },
  };
}

export type RunningApp = Awaited<ReturnType<typeof startApp>>;

/** Starts the app on a free port and waits until it accepts HTTP connections. */
export async function startApp(
  env: Record<string, string | undefined>,
  entry = MAIN_JS,
  nodeFlags: readonly string[] = TEST_NODE_FLAGS,
) {
  const port = await freePort();
  const app = runApp({ PORT: String(port), HOST: '127.0.0.1', ...env }, entry, nodeFlags);
  try {
    // Generous: a 2-core CI box running tests in parallel can take ~25 s to boot an app.
    await waitForPort('127.0.0.1', port, 90000, () => app.child.exitCode === null);
  } catch (error) {
    await app.stop('SIGKILL');
    throw new Error(`${(error as Error).message}\n--- app output ---\n${app.stdout()}${app.stderr()}`, {
      cause: error,
    });
  }
  const url = `http://127.0.0.1:${port}`;
  return { ...app, port, url, get: (path: string, init?: RequestInit) => fetch(`${url}${path}`, init) };
}

/**
 * A client signed in as the first admin of an app process, once its boot has created that account (in
 * the background, so right after the port opens it may not exist yet). Polled every 2.5 s: login is
 * rate-limited to 10 a minute per name.
 */
export async function signInFirstAdmin(url: string, password: string): Promise<TestClient> {
  const admin = new TestClient(url);
  await eventually(
    () => admin.post('/api/auth/login', { username: 'admin', password }),
    (response) => response.status === 200,
    // Ten tries over 24 s: a booting app on a loaded 2-core box took over 9.5 s to create the account.
    { what: 'the first admin signed in', intervalMs: 2500, timeoutMs: 24000 },
  );
  return admin;
}
