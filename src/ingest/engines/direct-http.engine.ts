import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { readFile, rm, stat, writeFile } from 'node:fs/promises';
import { type IncomingHttpHeaders } from 'node:http';
import { basename, join } from 'node:path';
import { Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { parse as parseContentDisposition } from 'content-disposition';
import { guardedGet } from '../source-policy/guarded-http.js';
import { SourceRefusedError } from '../source-policy/source-refused.error.js';
import { type SsrfGuard } from '../source-policy/ssrf-guard.js';
import {
  type DownloadEngine,
  DownloadFailedError,
  type DownloadRequest,
  type DownloadResult,
  keepAs,
  NotMediaError,
  TooLargeError,
} from './download-engine.js';
import { formatBytes } from '../../core/util/format-units.js';
import { fitName } from '../items/safe-path.js';

export interface DirectHttpOptions {
  attempts?: number;
  retryDelayMs?: number;
}

const PART_FILE = 'download.part';
/** Beside the part file: what a later attempt (another job run, another worker) needs to resume it. */
const PART_INFO = 'download.part.json';

interface PartInfo {
  /** The ETag or Last-Modified the part's bytes came with: `If-Range` sends it back. */
  validator?: string;
  /** The whole file's size, when the server said. */
  total?: number;
  fileName?: string;
}

/**
 * Plain HTTP(S) downloads through the SSRF guard. An interrupted transfer resumes with `Range` (guarded
 * by `If-Range`, so a file that changed meanwhile starts over instead of being spliced), the size limit
 * is enforced from Content-Length and again while bytes arrive, and the file name comes from
 * Content-Disposition or the URL.
 */
export class DirectHttpEngine implements DownloadEngine {
  readonly name = 'direct';

  constructor(
    private readonly guard: SsrfGuard,
    private readonly options: DirectHttpOptions = {},
  ) {}

  accepts(source: DownloadRequest['source']): boolean {
    return source.kind === 'http' && !/\.torrent$/i.test(source.url.pathname);
  }

  async download(request: DownloadRequest): Promise<DownloadResult> {
    if (request.source.kind !== 'http')
      throw new DownloadFailedError('direct downloads need an http(s) link', false);
    const attempts = this.options.attempts ?? 5;
    const partPath = join(request.dir, PART_FILE);
    const infoPath = join(request.dir, PART_INFO);
    // A part file left by an earlier attempt resumes only with what that attempt learnt about it.
    let { total, validator, fileName } = (await readPartInfo(infoPath)) ?? {};
    if ((await sizeOf(partPath)) > 0 && validator === undefined) await rm(partPath, { force: true });
    // SHA-256 of the bytes as they arrive, so nobody reads the file again just to hash it.
    let hash = createHash('sha256');
    let hashed = 0;

    for (let attempt = 1; ; attempt++) {
      const have = await sizeOf(partPath);
      try {
        const headers: Record<string, string> = {};
        if (have > 0) headers.range = `bytes=${have}-`;
        if (have > 0 && validator) headers['if-range'] = validator;
        const { response, url } = await guardedGet(request.source.url, {
          guard: this.guard,
          headers,
          signal: request.signal,
        });
        const status = response.statusCode ?? 0;
        if (status === 416 && have > 0) {
          response.resume();
          // Every byte is here already (the attempt that fetched them stopped before the rename).
          if (have === total) {
            fileName ??= fileNameFrom(response.headers, url);
            break;
          }
          // The file changed under us: the part is of no use.
          await rm(partPath, { force: true });
          throw new DownloadFailedError('the server refused to resume the download; starting over');
        }
        if (status !== 200 && status !== 206) {
          response.resume();
          throw new DownloadFailedError(`the server answered ${status}`, status >= 500 || status === 429);
        }
        const contentType = String(response.headers['content-type'] ?? '');
        if (/^(text\/html|application\/xhtml)/i.test(contentType)) {
          response.resume();
          throw new NotMediaError(contentType.split(';')[0]);
        }
        const restart = status === 200 || have === 0;
        total = restart ? lengthOf(response.headers) : (totalFromContentRange(response.headers) ?? total);
        if (total !== undefined && total > request.maxBytes) {
          response.resume();
          throw new TooLargeError(request.maxBytes, total);
        }
        fileName ??= fileNameFrom(response.headers, url);
        // A 200 to a resume means the file changed (If-Range did not match): the new one's validator.
        validator = restart ? validatorOf(response.headers) : (validator ?? validatorOf(response.headers));
        await writeFile(infoPath, JSON.stringify({ validator, total, fileName } satisfies PartInfo));

        let done = restart ? 0 : have;
        if (restart || hashed !== have) {
          // A fresh start, or a resume whose prefix was not hashed here (another attempt or worker).
          hash = createHash('sha256');
          hashed = 0;
          if (!restart) {
            await pipeline(
              createReadStream(partPath),
              new Writable({ write: (c: Buffer, _e, cb) => (hash.update(c), cb()) }),
            );
            hashed = have;
          }
        }
        const meter = new Transform({
          transform(chunk: Buffer, _encoding, callback) {
            done += chunk.length;
            if (done > request.maxBytes) {
              callback(new TooLargeError(request.maxBytes));
              return;
            }
            hash.update(chunk);
            hashed += chunk.length;
            request.onProgress({ bytesDone: done, bytesTotal: total });
            callback(null, chunk);
          },
        });
        await pipeline(response, meter, createWriteStream(partPath, { flags: restart ? 'w' : 'a' }), {
          signal: request.signal,
        });
        if (total === undefined || done >= total) break;
        throw new DownloadFailedError(
          `the connection ended after ${formatBytes(done)} of ${formatBytes(total)}`,
        );
      } catch (error) {
        if (request.signal.aborted) throw request.signal.reason ?? error;
        if (error instanceof SourceRefusedError) throw error;
        if (error instanceof DownloadFailedError && !error.retryable) throw error;
        if (attempt >= attempts) {
          throw new DownloadFailedError(
            `gave up after ${attempts} attempts: ${(error as Error).message}`,
            false,
          );
        }
        await sleep((this.options.retryDelayMs ?? 1000) * attempt, undefined, { signal: request.signal });
      }
    }
    const name = fileName ?? 'download';
    const path = join(request.dir, name);
    await keepAs(partPath, path, name);
    await rm(infoPath, { force: true });
    const size = await sizeOf(path);
    // Bytes fed to the hash but lost on a failed write would make it wrong: then leave it to the caller.
    return { path, fileName: name, size, sha256: hashed === size ? hash.digest('hex') : undefined };
  }
}

async function sizeOf(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return 0;
  }
}

async function readPartInfo(path: string): Promise<PartInfo | undefined> {
  try {
    const info = JSON.parse(await readFile(path, 'utf8')) as PartInfo;
    return {
      validator: typeof info.validator === 'string' ? info.validator : undefined,
      total: Number.isSafeInteger(info.total) ? info.total : undefined,
      fileName: typeof info.fileName === 'string' ? info.fileName : undefined,
    };
  } catch {
    return undefined;
  }
}

function lengthOf(headers: IncomingHttpHeaders): number | undefined {
  const value = Number(headers['content-length']);
  return Number.isSafeInteger(value) && value >= 0 ? value : undefined;
}

function totalFromContentRange(headers: IncomingHttpHeaders): number | undefined {
  const match = /\/(\d+)\s*$/.exec(headers['content-range'] ?? '');
  return match ? Number(match[1]) : undefined;
}

/** A strong ETag, else Last-Modified: what `If-Range` may carry. */
function validatorOf(headers: IncomingHttpHeaders): string | undefined {
  const etag = headers.etag;
  if (etag && !etag.startsWith('W/')) return etag;
  return headers['last-modified'];
}

/** A safe local file name from Content-Disposition, else the URL's last path segment. */
export function fileNameFrom(headers: IncomingHttpHeaders, url: URL): string {
  let name: string | undefined;
  const disposition = headers['content-disposition'];
  if (disposition) {
    try {
      name = parseContentDisposition(disposition).parameters.filename;
    } catch {
      // a malformed header: fall back to the URL
    }
  }
  if (!name) {
    try {
      name = decodeURIComponent(basename(url.pathname));
    } catch {
      name = basename(url.pathname);
    }
  }
  const safe = fitName(
    basename(name.replace(/\\/g, '/'))
      .replace(/\p{Cc}/gu, '')
      .replace(/^\.+/, '')
      .trim(),
  );
  return safe && safe !== PART_FILE && safe !== PART_INFO ? safe : 'download';
}
