import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, waitForPort } from '../../scripts/lib/net.mjs';
import { tempDir } from './media.js';
import { PROJECT_ROOT } from './paths.js';

/** Fills `${NAME}` placeholders like the nginx image's envsubst step; nginx's `$vars` stay. */
export function renderNginxTemplate(values: Record<string, string>): string {
  const template = readFileSync(join(PROJECT_ROOT, 'nginx/streamvault.conf'), 'utf8');
  return template.replace(/\$\{([A-Z_]+)\}/g, (whole, name: string) => values[name] ?? whole);
}

/**
 * Real nginx (Debian package) running nginx/streamvault.conf on a free port in front of `upstream`
 * (both roles), or of `upstream` as the manager and `streamerUpstream` as the streamer.
 */
export async function startNginx(
  upstream: string,
  streamSecret: string,
  streamerUpstream = upstream,
  options: { cacheRevalidate?: string } = {},
) {
  const dir = tempDir('sv-nginx-');
  const cache = join(dir, 'cache');
  mkdirSync(cache);
  // Workers run as an unprivileged user when nginx starts as root: they must reach these folders.
  chmodSync(dir, 0o777);
  chmodSync(cache, 0o777);
  const port = await freePort();
  writeFileSync(
    join(dir, 'streamvault.conf'),
    renderNginxTemplate({
      LISTEN: `127.0.0.1:${port}`,
      MANAGER_UPSTREAM: upstream,
      STREAMER_UPSTREAM: streamerUpstream,
      STREAM_SECRET: streamSecret,
      CACHE_DIR: cache,
      CACHE_MAX_SIZE: '1g',
      CACHE_REVALIDATE: options.cacheRevalidate ?? '1m',
      ACCESS_LOG: join(dir, 'access.log'),
      ERROR_LOG: join(dir, 'error.log'),
    }),
  );
  writeFileSync(
    join(dir, 'nginx.conf'),
    [
      'worker_processes 1;',
      `pid ${dir}/nginx.pid;`,
      `error_log ${dir}/error.log warn;`,
      'events { worker_connections 256; }',
      'http {',
      `  access_log off;`,
      ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map(
        (kind) => `  ${kind}_temp_path ${dir}/${kind}_temp;`,
      ),
      `  include ${dir}/streamvault.conf;`,
      '}',
    ].join('\n'),
  );
  const child = spawn('nginx', ['-p', dir, '-c', join(dir, 'nginx.conf'), '-g', 'daemon off;'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  try {
    await waitForPort('127.0.0.1', port, 10000, () => child.exitCode === null);
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(`nginx did not start: ${output}`, { cause: error });
  }
  return {
    url: `http://127.0.0.1:${port}`,
    /** The access log, in the config's own (redacted) format. */
    accessLog: () => readFileSync(join(dir, 'access.log'), 'utf8'),
    /** nginx's own error log (warn and up, as the config sets it). */
    errorLog: () => readFileSync(join(dir, 'error.log'), 'utf8'),
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await new Promise((resolve) => child.once('exit', resolve));
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
