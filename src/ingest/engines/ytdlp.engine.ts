import { stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { execa } from 'execa';
import {
  type DownloadEngine,
  DownloadFailedError,
  type DownloadRequest,
  type DownloadResult,
  TooLargeError,
  TooManyItemsError,
} from './download-engine.js';

const PROGRESS = 'SVPROGRESS';
const DONE = 'SVFILE';
const VERSION_TIMEOUT_MS = 30000;
const LISTING_TIMEOUT_MS = 5 * 60 * 1000;
/** Without a task limit, a listing still stops somewhere. */
const MAX_PLAYLIST_ENTRIES = 10000;

/**
 * yt-dlp for pages it understands (and direct media through its generic extractor). The argument list
 * is fixed here: nothing a user sends reaches yt-dlp except the URL, after `--`. All of its traffic
 * goes through the guarded proxy, so its extractors cannot reach private addresses either. It runs in
 * its own process group, killed as a group on cancel. A link is first listed flat (no media fetched):
 * a playlist becomes a folder of entries — the task's items — and one over INGEST_MAX_ITEMS is refused
 * before anything is downloaded.
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
    const url = request.source.url.toString();
    const proxy = await this.proxyUrl();
    const listing = await this.list(url, proxy, request);
    const playlist = listing.playlist;
    const output = playlist
      ? join(request.dir, playlist.folder, '%(playlist_index)03d %(title).150B [%(id).40B].%(ext)s')
      : join(request.dir, '%(title).150B [%(id).40B].%(ext)s');
    const args = [
      ...this.commonArgs(proxy),
      '--newline',
      '--progress', // --print implies --quiet; keep the progress lines
      '--no-mtime',
      '--max-filesize',
      String(request.maxBytes),
      ...(playlist
        ? // The page is read again for the download: never more entries than were counted.
          ['--yes-playlist', '--playlist-items', `1:${playlist.count}`]
        : ['--no-playlist']),
      '--progress-template',
      `download:${PROGRESS} %(info.playlist_index)s %(progress.downloaded_bytes)s %(progress.total_bytes)s %(progress.total_bytes_estimate)s`,
      '--print',
      `after_move:${DONE} %(filepath)s`,
      '--output',
      output,
      '--',
      url,
    ];
    const child = execa(this.command, args, {
      cancelSignal: request.signal,
      detached: true,
      forceKillAfterDelay: 2000,
      buffer: { stdout: false, stderr: true },
      timeout: 6 * 3600 * 1000,
    });
    const progress = new PlaylistProgress(request, () => killGroup(child.pid));
    const paths: string[] = [];
    child.stdout?.setEncoding('utf8');
    let pending = '';
    const readLine = (line: string) => {
      const path = progress.readLine(line.trim());
      if (path) paths.push(path);
    };
    child.stdout?.on('data', (chunk: string) => {
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) readLine(line);
    });
    try {
      await child;
    } catch (error) {
      if (request.signal.aborted) throw request.signal.reason ?? error;
      if (progress.tooLarge) throw progress.tooLarge;
      // An entry of a playlist that cannot be had (removed, private) does not lose the others.
      if (!(playlist && paths.length > 0)) throw this.failure(error);
    }
    if (pending) readLine(pending);
    if (paths.length === 0)
      throw new DownloadFailedError(
        'yt-dlp finished without a file (over the size limit, or nothing to download)',
        false,
      );
    const sizes = await Promise.all(paths.map(async (path) => (await stat(path)).size));
    const size = sizes.reduce((sum, bytes) => sum + bytes, 0);
    if (!playlist) return { path: paths[0], fileName: basename(paths[0]), size };
    // A playlist's entries are in one folder (its name): the task's items are in there.
    return { path: join(request.dir, playlist.folder), fileName: playlist.folder, size };
  }

  /**
   * What the link is, before a byte of media is asked for: one video, or a playlist of how many
   * entries (yt-dlp's flat listing reads only the list). A playlist over `maxItems` is refused here.
   */
  private async list(url: string, proxy: string, request: DownloadRequest): Promise<Listing> {
    const maxItems = request.maxItems ?? MAX_PLAYLIST_ENTRIES;
    let stdout: string;
    try {
      ({ stdout } = await execa(
        this.command,
        [
          ...this.commonArgs(proxy),
          '--flat-playlist',
          '--yes-playlist',
          // Enough to tell "over the limit" without paging through a channel of 10,000 videos.
          '--playlist-items',
          `1:${maxItems + 1}`,
          '--dump-single-json',
          '--',
          url,
        ],
        {
          cancelSignal: request.signal,
          detached: true,
          forceKillAfterDelay: 2000,
          timeout: LISTING_TIMEOUT_MS,
          maxBuffer: 64 * 1024 * 1024,
          stdin: 'ignore',
        },
      ));
    } catch (error) {
      if (request.signal.aborted) throw request.signal.reason ?? error;
      throw this.failure(error);
    }
    const info = JSON.parse(stdout) as {
      _type?: string;
      title?: string;
      id?: string;
      playlist_count?: number;
      entries?: unknown[];
    };
    if (info._type !== 'playlist') return {};
    const listed = info.entries?.length ?? 0;
    const count = Math.max(listed, info.playlist_count ?? 0);
    if (count > maxItems)
      throw new TooManyItemsError(count, maxItems, listed > maxItems && !info.playlist_count);
    if (listed === 0) throw new DownloadFailedError('yt-dlp: the playlist has no entries', false);
    return { playlist: { count: listed, folder: folderName(info.title || info.id || 'playlist') } };
  }

  /** Options of every run: no user config or cache, safe file names, all traffic through the proxy. */
  private commonArgs(proxy: string): string[] {
    return ['--no-color', '--no-config', '--no-cache-dir', '--restrict-filenames', '--proxy', proxy];
  }

  /** A failed run, said for the user (yt-dlp's ERROR line) or for an operator (it could not run). */
  private failure(error: unknown): DownloadFailedError {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EACCES')
      return new DownloadFailedError(whyNotRunnable(this.command, error));
    const stderr = String((error as { stderr?: unknown }).stderr ?? '');
    const reason = stderr.split('\n').find((line) => line.startsWith('ERROR:')) ?? (error as Error).message;
    return new DownloadFailedError(`yt-dlp: ${reason.replace(/^ERROR:\s*/, '').slice(0, 300)}`);
  }
}

interface Listing {
  /** Set when the link is a playlist: its entries (all within the limit) and the folder they go to. */
  playlist?: { count: number; folder: string };
}

/**
 * Bytes of a run that may download several entries: yt-dlp reports each entry from zero, so the
 * task's progress is the sum over entries, and the sum must stay within the task's size limit.
 */
class PlaylistProgress {
  private readonly entries = new Map<string, { done: number; total?: number }>();
  tooLarge?: TooLargeError;

  constructor(
    private readonly request: DownloadRequest,
    private readonly stop: () => void,
  ) {}

  /** Progress lines feed the meter; a file line returns the path of a finished entry. */
  readLine(line: string): string | undefined {
    if (line.startsWith(`${DONE} `)) return line.slice(DONE.length + 1);
    if (!line.startsWith(`${PROGRESS} `)) return undefined;
    const [entry, ...numbers] = line.slice(PROGRESS.length + 1).split(' ');
    const [done, total, estimate] = numbers.map(Number);
    if (!Number.isFinite(done)) return undefined;
    const known = Number.isFinite(total)
      ? total
      : Number.isFinite(estimate)
        ? Math.round(estimate)
        : undefined;
    this.entries.set(entry, { done, total: known });
    let bytesDone = 0;
    let bytesTotal: number | undefined = 0;
    for (const value of this.entries.values()) {
      bytesDone += value.done;
      bytesTotal =
        value.total === undefined || bytesTotal === undefined ? undefined : bytesTotal + value.total;
    }
    if (bytesDone > this.request.maxBytes && !this.tooLarge) {
      this.tooLarge = new TooLargeError(this.request.maxBytes);
      this.stop();
    }
    this.request.onProgress({ bytesDone, bytesTotal });
    return undefined;
  }
}

/** Ends a run and whatever it started (ffmpeg for streams): it leads its own process group. */
function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/** A playlist's title as a folder name: letters, digits and a little punctuation, 100 characters at most. */
function folderName(title: string): string {
  const name = title
    .replace(/[^\p{L}\p{N} ._-]+/gu, '_')
    .replace(/^[.\s_-]+/, '')
    .trim()
    .slice(0, 100);
  return name || 'playlist';
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
