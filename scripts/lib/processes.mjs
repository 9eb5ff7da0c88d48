import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { freePort, waitForPort } from './net.mjs';

/**
 * A started background service. `stop()` sends SIGTERM (or `signal`) and waits for it to exit (SIGKILL
 * after `graceMs`); `kill()` is SIGKILL, for tests that simulate a crash.
 */
export function supervise(child, name) {
  let exited = child.exitCode !== null;
  const exit = new Promise((resolve) =>
    child.once('exit', (code, signal) => {
      exited = true;
      resolve({ code, signal });
    }),
  );
  let output = '';
  const keep = (chunk) => {
    output = (output + chunk.toString()).slice(-20000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return {
    name,
    child,
    exit,
    isAlive: () => !exited,
    output: () => output,
    async stop(graceMs = 5000, signal = 'SIGTERM') {
      if (exited) return exit;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const result = await exit;
      clearTimeout(timer);
      return result;
    },
    async kill() {
      if (exited) return exit;
      child.kill('SIGKILL');
      return exit;
    },
  };
}

/**
 * Starts FerretDB on 127.0.0.1:`port` (a free one when omitted) with its state in `dir`: the SQLite
 * backend with data in `dir`, or the PostgreSQL backend when `postgresqlUrl` is given.
 * `ownProcessGroup`: Ctrl+C at the terminal does not reach it; whoever started it stops it.
 * @param {{ binary: string, dir: string, port?: number, database?: string, stdio?: 'pipe' | 'inherit', postgresqlUrl?: string, ownProcessGroup?: boolean }} options
 */
export async function startFerretDb({
  binary,
  dir,
  port,
  database = 'streamvault',
  stdio = 'pipe',
  postgresqlUrl,
  ownProcessGroup = false,
}) {
  const listenPort = port ?? (await freePort());
  const debugPort = await freePort();
  mkdirSync(dir, { recursive: true });
  const child = spawn(
    binary,
    [
      ...(postgresqlUrl
        ? ['--handler=postgresql', `--postgresql-url=${postgresqlUrl}`]
        : ['--handler=sqlite', `--sqlite-url=file:${dir}/`]),
      `--listen-addr=127.0.0.1:${listenPort}`,
      `--debug-addr=127.0.0.1:${debugPort}`,
      `--state-dir=${dir}`,
      '--telemetry=disable',
      '--log-level=error',
    ],
    { stdio: ['ignore', stdio, stdio], detached: ownProcessGroup },
  );
  const service = supervise(child, 'ferretdb');
  try {
    await waitForPort('127.0.0.1', listenPort, 15000, service.isAlive);
  } catch (error) {
    await service.kill();
    throw new Error(`FerretDB did not start: ${error.message}\n${service.output()}`, { cause: error });
  }
  return { ...service, port: listenPort, uri: `mongodb://127.0.0.1:${listenPort}/${database}` };
}

/**
 * Starts a private redis-server on a free port; `dir` holds its data when `persist` is set.
 * `ownProcessGroup` as for startFerretDb.
 * @param {{ dir: string, port?: number, persist?: boolean, stdio?: 'pipe' | 'inherit', ownProcessGroup?: boolean }} options
 */
export async function startRedis({ dir, port, persist = false, stdio = 'pipe', ownProcessGroup = false }) {
  const listenPort = port ?? (await freePort());
  mkdirSync(dir, { recursive: true });
  const persistence = persist
    ? ['--save', '60', '1', '--appendonly', 'no']
    : ['--save', '', '--appendonly', 'no'];
  const child = spawn(
    'redis-server',
    ['--bind', '127.0.0.1', '--port', String(listenPort), '--dir', dir, ...persistence],
    { stdio: ['ignore', stdio, stdio], detached: ownProcessGroup },
  );
  const service = supervise(child, 'redis');
  try {
    await waitForPort('127.0.0.1', listenPort, 10000, service.isAlive);
  } catch (error) {
    await service.kill();
    throw new Error(`redis-server did not start: ${error.message}\n${service.output()}`, { cause: error });
  }
  return { ...service, port: listenPort, url: `redis://127.0.0.1:${listenPort}` };
}
