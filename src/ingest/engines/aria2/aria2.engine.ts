import { randomBytes } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { basename, relative, sep } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { freeLoopbackPort } from '../../../core/util/free-port.js';
import { type SourceUrl } from '../../source-policy/source-url.js';
import {
  type DownloadEngine,
  DownloadFailedError,
  type DownloadRequest,
  type DownloadResult,
  TooLargeError,
  TooManyItemsError,
} from '../download-engine.js';
import { Aria2RpcClient, type Aria2Status } from './aria2-rpc.client.js';

const POLL_MS = 500;
/** A torrent nobody seeds never ends on its own: give up (retryably) after this long without a byte. */
const STALL_TIMEOUT_MS = 10 * 60 * 1000;
const START_TIMEOUT_MS = 10000;

/**
 * What aria2 may do outside the guarded proxy, by the operator's choice (INGEST_TORRENT_DIRECT). aria2
 * sends UDP tracker announces from its DHT socket and only with DHT on, so `dht` covers both; `lpd`
 * multicasts announces on the worker's LAN. Both go straight to the network, past the SSRF guard.
 */
export interface TorrentDirect {
  dht: boolean;
  lpd: boolean;
}

export const NO_DIRECT: TorrentDirect = { dht: false, lpd: false };

export interface Aria2Launch {
  rpcPort: number;
  rpcSecret: string;
  /** The process aria2c follows (`--stop-with-process`). */
  parentPid: number;
  dir: string;
  proxy: string;
  direct: TorrentDirect;
}

/**
 * aria2c's command line. `--all-proxy` sends every HTTP(S) request — the .torrent, web seeds, http and
 * https trackers — through the guarded proxy; UDP cannot go through an HTTP proxy, so UDP trackers are
 * contacted only when DHT is on (aria2 ties them together), and both are off unless the operator
 * enables them. Peer connections are always direct (BitTorrent has no proxy for them).
 */
export function aria2Arguments(launch: Aria2Launch): string[] {
  return [
    '--no-conf',
    '--enable-rpc',
    `--rpc-listen-port=${launch.rpcPort}`,
    '--rpc-listen-all=false',
    `--rpc-secret=${launch.rpcSecret}`,
    `--stop-with-process=${launch.parentPid}`,
    `--dir=${launch.dir}`,
    `--all-proxy=${launch.proxy}`,
    `--enable-dht=${launch.direct.dht}`,
    `--enable-dht6=${launch.direct.dht}`,
    `--bt-enable-lpd=${launch.direct.lpd}`,
    '--enable-peer-exchange=false',
    '--seed-time=0',
    '--follow-torrent=mem',
    '--pause-metadata=true',
    '--continue=true',
    '--auto-file-renaming=false',
    '--allow-overwrite=true',
    '--file-allocation=none',
    '--max-tries=5',
    '--retry-wait=2',
    '--console-log-level=warn',
    '--summary-interval=0',
    '--quiet=true',
  ];
}

/**
 * aria2c for magnets and `.torrent` links (and plain http, which it can also fetch). Each download gets
 * its own aria2c, driven over JSON-RPC on loopback with a random secret, in its own process group:
 * cancel kills the group, and `--stop-with-process` ends it if the worker dies. Its HTTP(S) traffic —
 * http(s) trackers, the .torrent itself, web seeds — goes through the guarded proxy. Peer exchange is
 * off, and so are DHT (with UDP trackers) and local peer discovery unless INGEST_TORRENT_DIRECT enables
 * them (see aria2Arguments), so by default peers come only from the link's http(s) trackers. The real
 * download after a magnet's or .torrent's metadata starts paused (`--pause-metadata`): its file list and
 * size are checked against the task's limits first, so a torrent of 10,000 files costs nothing but its
 * metadata.
 */
export class Aria2Engine implements DownloadEngine {
  readonly name = 'aria2';

  private readonly direct: TorrentDirect;
  private readonly stallTimeoutMs: number;

  constructor(
    private readonly proxyUrl: () => Promise<string>,
    options: { direct?: TorrentDirect; stallTimeoutMs?: number } = {},
  ) {
    this.direct = options.direct ?? NO_DIRECT;
    this.stallTimeoutMs = options.stallTimeoutMs ?? STALL_TIMEOUT_MS;
  }

  accepts(source: SourceUrl): boolean {
    return source.kind === 'magnet' || (source.kind === 'http' && source.url.pathname.endsWith('.torrent'));
  }

  async download(request: DownloadRequest): Promise<DownloadResult> {
    const uri = request.source.kind === 'magnet' ? request.source.uri : request.source.url.toString();
    const { rpc, child } = await this.startDaemon(request);
    try {
      let gid = await rpc.addUri(uri);
      let lastDone = -1;
      let lastMoved = Date.now();
      for (;;) {
        await sleep(POLL_MS, request.signal);
        const status = await rpc.tellStatus(gid);
        if (Number(status.completedLength) !== lastDone) {
          lastDone = Number(status.completedLength);
          lastMoved = Date.now();
        } else if (Date.now() - lastMoved > this.stallTimeoutMs) {
          throw new DownloadFailedError(
            `aria2: no data for ${Math.round(this.stallTimeoutMs / 60000)} min (no peers or seeds reachable)`,
          );
        }
        const total = Number(status.totalLength);
        if (total > request.maxBytes) {
          throw new TooLargeError(request.maxBytes, total);
        }
        // The metadata download (magnet) or the .torrent fetch is followed by the real download,
        // which waits paused until its file list has been checked.
        if (status.status === 'complete' && status.followedBy?.length) {
          gid = status.followedBy[0];
          await this.admit(rpc, gid, request);
          continue;
        }
        request.onProgress({ bytesDone: Number(status.completedLength), bytesTotal: total || undefined });
        if (status.status === 'complete') return await this.result(status, request.dir);
        if (status.status === 'error' || status.status === 'removed') {
          throw new DownloadFailedError(`aria2: ${status.errorMessage || `download ${status.status}`}`);
        }
      }
    } catch (error) {
      if (request.signal.aborted) throw request.signal.reason ?? error;
      throw error;
    } finally {
      child.kill('SIGTERM');
      await child.catch(() => undefined);
    }
  }

  private async startDaemon(
    request: DownloadRequest,
  ): Promise<{ rpc: Aria2RpcClient; child: ResultPromise }> {
    const port = await freeLoopbackPort();
    const secret = randomBytes(16).toString('hex');
    const proxy = await this.proxyUrl();
    const child = execa(
      'aria2c',
      aria2Arguments({
        rpcPort: port,
        rpcSecret: secret,
        parentPid: process.pid,
        dir: request.dir,
        proxy,
        direct: this.direct,
      }),
      {
        cancelSignal: request.signal,
        detached: true,
        forceKillAfterDelay: 2000,
        buffer: { stdout: false, stderr: true },
      },
    );
    child.catch(() => undefined); // its end is awaited by download(); an early exit surfaces below
    const rpc = new Aria2RpcClient(`http://127.0.0.1:${port}/jsonrpc`, secret);
    const deadline = Date.now() + START_TIMEOUT_MS;
    for (;;) {
      try {
        await rpc.call('aria2.getVersion');
        return { rpc, child };
      } catch (error) {
        if (child.exitCode !== null || Date.now() > deadline || request.signal.aborted) {
          child.kill('SIGKILL');
          if (request.signal.aborted) throw request.signal.reason;
          throw new DownloadFailedError(`aria2c did not start: ${(error as Error).message}`);
        }
        await sleep(50);
      }
    }
  }

  /** Checks the paused real download's file list against the limits, then lets it start. */
  private async admit(rpc: Aria2RpcClient, gid: string, request: DownloadRequest): Promise<void> {
    const status = await rpc.tellStatus(gid);
    const files = status.files.filter((file) => file.selected === 'true');
    const maxItems = request.maxItems ?? Infinity;
    if (files.length > maxItems) throw new TooManyItemsError(files.length, maxItems);
    const total = Number(status.totalLength);
    if (total > request.maxBytes) throw new TooLargeError(request.maxBytes, total);
    for (const file of files) {
      // aria2 refuses such names itself; a second look costs nothing.
      const inside = relative(request.dir, file.path);
      if (file.path && (inside.startsWith('..') || inside.startsWith(sep))) {
        throw new DownloadFailedError(`the torrent names a file outside its folder: ${file.path}`, false);
      }
    }
    if (status.status === 'paused') await rpc.unpause(gid);
  }

  /** The downloaded file, or a multi-file torrent's top folder. */
  private async result(status: Aria2Status, dir: string): Promise<DownloadResult> {
    const selected = status.files.filter((file) => file.selected === 'true' && file.path);
    if (selected.length === 0) throw new DownloadFailedError('aria2 finished without a file', false);
    const files = await Promise.all(
      selected.map(async (file) => ({ path: file.path, size: (await stat(file.path)).size })),
    );
    const size = files.reduce((sum, file) => sum + file.size, 0);
    if (files.length === 1) return { path: files[0].path, fileName: basename(files[0].path), size };
    // A multi-file torrent keeps its files under one folder (its name): the pack's items are in there.
    const top = relative(dir, files[0].path).split(sep)[0];
    return { path: `${dir}${sep}${top}`, fileName: top, size };
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason as Error);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
