import { stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { execa } from 'execa';
import {
  type DownloadEngine,
  DownloadFailedError,
  type DownloadRequest,
  type DownloadResult,
} from './download-engine.js';

const PROGRESS = 'SVPROGRESS';
const DONE = 'SVFILE';
const VERSION_TIMEOUT_MS = 30000;

/**
 * yt-dlp for pages it understands (and direct media through its generic extractor). The argument list
 * is fixed here: nothing a user sends reaches yt-dlp except the URL, after `--`. All of its traffic
 * goes through the guarded proxy, so its extractors cannot reach private addresses either. It runs in
 * its own process group, killed as a group on cancel.
 */
export class YtDlpEngine implements DownloadEngine {
  readonly name = 'ytdlp';

  /** `command`: the yt-dlp to run (YTDLP_PATH): a name on PATH or a path. */
  constructor(
    private readonly proxyUrl: () => Promise<string>,
    private readonly command: string,
  ) {}

  /** What `<command> --version` prints (`2026.08.19`); rejects with a readable reason when it cannot run. */
  static async version(command: string, signal: AbortSignal): Promise<string> {
    try {
      const { stdout } = await execa(command, ['--version'], {
        cancelSignal: signal,
        timeout: VERSION_TIMEOUT_MS,
        stdin: 'ignore',
      });
      const version = stdout.trim().split('\n')[0];
      if (!version) throw new Error('it printed no version');
      return version;
    } catch (error) {
      throw new Error(whyNotRunnable(command, error), { cause: error });
    }
  }

  accepts(source: DownloadRequest['source']): boolean {
    return source.kind === 'http';
  }

  async download(request: DownloadRequest): Promise<DownloadResult> {
    if (request.source.kind !== 'http') throw new DownloadFailedError('yt-dlp needs an http(s) link', false);
    const args = [
      '--newline',
      '--progress', // --print implies --quiet; keep the progress lines
      '--no-color',
      '--no-playlist',
      '--no-mtime',
      '--no-config',
      '--no-cache-dir',
      '--restrict-filenames',
      '--max-filesize',
      String(request.maxBytes),
      '--proxy',
      await this.proxyUrl(),
      '--progress-template',
      `download:${PROGRESS} %(progress.downloaded_bytes)s %(progress.total_bytes)s %(progress.total_bytes_estimate)s`,
      '--print',
      `after_move:${DONE} %(filepath)s`,
      '--output',
      join(request.dir, '%(title).150B [%(id).40B].%(ext)s'),
      '--',
      request.source.url.toString(),
    ];
    const child = execa(this.command, args, {
      cancelSignal: request.signal,
      detached: true,
      forceKillAfterDelay: 2000,
      buffer: { stdout: false, stderr: true },
      timeout: 6 * 3600 * 1000,
    });
    let path: string | undefined;
    child.stdout?.setEncoding('utf8');
    let pending = '';
    child.stdout?.on('data', (chunk: string) => {
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) path = this.readLine(line.trim(), request) ?? path;
    });
    try {
      await child;
    } catch (error) {
      if (request.signal.aborted) throw request.signal.reason ?? error;
      if (
        (error as NodeJS.ErrnoException).code === 'ENOENT' ||
        (error as NodeJS.ErrnoException).code === 'EACCES'
      ) {
        throw new DownloadFailedError(whyNotRunnable(this.command, error));
      }
      const stderr = String((error as { stderr?: unknown }).stderr ?? '');
      const reason = stderr.split('\n').find((line) => line.startsWith('ERROR:')) ?? (error as Error).message;
      throw new DownloadFailedError(`yt-dlp: ${reason.replace(/^ERROR:\s*/, '').slice(0, 300)}`);
    }
    if (pending) path = this.readLine(pending.trim(), request) ?? path;
    if (!path)
      throw new DownloadFailedError(
        'yt-dlp finished without a file (over the size limit, or nothing to download)',
        false,
      );
    return { path, fileName: basename(path), size: (await stat(path)).size };
  }

  /** Progress lines feed the meter; the final line names the file. */
  private readLine(line: string, request: DownloadRequest): string | undefined {
    if (line.startsWith(`${DONE} `)) return line.slice(DONE.length + 1);
    if (!line.startsWith(`${PROGRESS} `)) return undefined;
    const [done, total, estimate] = line
      .slice(PROGRESS.length + 1)
      .split(' ')
      .map(Number);
    if (Number.isFinite(done)) {
      const bytesTotal = Number.isFinite(total)
        ? total
        : Number.isFinite(estimate)
          ? Math.round(estimate)
          : undefined;
      request.onProgress({ bytesDone: done, bytesTotal });
    }
    return undefined;
  }
}

/** `ENOENT`/`EACCES` from spawning, a non-zero exit or a timeout, said for an operator. */
function whyNotRunnable(command: string, error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return `yt-dlp is not installed at "${command}" (YTDLP_PATH)`;
  if (code === 'EACCES') return `yt-dlp at "${command}" (YTDLP_PATH) is not executable`;
  const stderr = String((error as { stderr?: unknown }).stderr ?? '').trim();
  const reason = stderr.split('\n').at(-1) || (error as Error).message;
  return `yt-dlp at "${command}" (YTDLP_PATH) did not run: ${reason.slice(0, 300)}`;
}
