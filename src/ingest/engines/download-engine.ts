import { rename } from 'node:fs/promises';
import { formatBytes } from '../../core/util/format-units.js';
import { type SourceUrl } from '../source-policy/source-url.js';

export interface DownloadProgress {
  bytesDone: number;
  /** Unknown until the source says (no Content-Length, torrent metadata not fetched yet). */
  bytesTotal?: number;
}

export interface DownloadRequest {
  source: SourceUrl;
  /** The task's sandbox: the engine writes only here. */
  dir: string;
  signal: AbortSignal;
  /** Largest file accepted; the engine stops as soon as a download would exceed it. */
  maxBytes: number;
  /** Most files one source may bring (a torrent's file list); more is refused before downloading. */
  maxItems?: number;
  onProgress: (progress: DownloadProgress) => void;
}

export interface DownloadResult {
  /** The file, or the top folder of a multi-file download (a torrent's folder). */
  path: string;
  fileName: string;
  /** Bytes downloaded, all files together. */
  size: number;
  /** SHA-256 of the file, when the engine hashed it on the way in (single files). */
  sha256?: string;
}

/** One way of turning a source into a file on disk (direct HTTP, aria2 for torrents, yt-dlp for pages). */
export interface DownloadEngine {
  readonly name: string;
  /** Whether this engine is worth trying for the source (the order of engines decides preference). */
  accepts(source: SourceUrl): boolean;
  download(request: DownloadRequest): Promise<DownloadResult>;
}

/** A download that failed for a reason the user should read (too big, server refused...). */
export class DownloadFailedError extends Error {
  override name = 'DownloadFailedError';
  constructor(
    message: string,
    /** False when retrying cannot help (e.g. the file is over the size limit). */
    readonly retryable = true,
  ) {
    super(message);
  }
}

/** The link answered with a web page, not media: a page-aware engine (yt-dlp) may still get it. */
export class NotMediaError extends DownloadFailedError {
  override name = 'NotMediaError';
  constructor(contentType: string) {
    super(`the link is a web page (${contentType}), not a media file`, false);
  }
}

/** The download is (or grew) larger than the limit the worker set for it. */
export class TooLargeError extends DownloadFailedError {
  override name = 'TooLargeError';
  constructor(
    readonly limit: number,
    readonly size?: number,
  ) {
    super(
      size === undefined
        ? `the download passed the ${formatBytes(limit)} limit`
        : `the file is ${formatBytes(size)}, over the ${formatBytes(limit)} limit`,
      false,
    );
  }
}

/** The source names more files than one task may take (INGEST_MAX_ITEMS). */
export class TooManyItemsError extends DownloadFailedError {
  override name = 'TooManyItemsError';
  constructor(
    readonly count: number,
    readonly limit: number,
    /** The source was counted only up to `count` (a playlist listed no further than needed). */
    atLeast = false,
  ) {
    super(
      `the source holds ${atLeast ? 'more than ' + limit : count} files, over the limit of ${limit} per task (INGEST_MAX_ITEMS)`,
      false,
    );
  }
}

/**
 * Gives a finished part file its name. A failure is not retryable: the retry would find the bytes all
 * there and ask the server for more (416), so the user would read about the server, not the name.
 */
export async function keepAs(partPath: string, path: string, fileName: string): Promise<void> {
  try {
    await rename(partPath, path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new DownloadFailedError(`the download could not be saved as "${fileName}" (${code})`, false);
  }
}
