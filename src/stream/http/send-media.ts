import { type IncomingMessage, type ServerResponse } from 'node:http';
import { type Readable } from 'node:stream';
import { AppError } from '../../core/errors/app-error.js';
import { releaseChunk } from '../../core/storage/chunk-pool.js';
import { StorageUnavailableError, StoredObjectMissingError } from '../../core/storage/media-store.js';
import { type MediaFile } from '../../library/schemas/media-file.schema.js';
import { decideRange } from './byte-range.js';
import {
  ifRangeHolds,
  noneMatch,
  notModifiedSince,
  type Representation,
  representationOf,
} from './representation.js';

export interface MediaBody {
  open: (start: number, endInclusive: number) => Readable;
  onBytes: (count: number) => void;
  /** A client that takes no bytes this long is cut off (default: nginx's send_timeout, 60 s). */
  sendTimeoutMs?: number;
}

const DEFAULT_SEND_TIMEOUT_MS = 60_000;

/**
 * Answers GET/HEAD for a stored file per RFC 9110: validators (ETag, Last-Modified), conditional
 * requests (304), If-Range, one byte range (206) or the whole body (200), 416 with `bytes *\/size`.
 * The status line waits until the store has opened the bytes (or, for a store that cannot tell, read
 * the first chunk) and goes out with the first chunk, so a missing or unreachable file is still a
 * clean 502/503 JSON answer rather than a cut-off 200. Plain Node request/response, so the Express route
 * and the streamer's fast path (`StreamFastPath`) share it.
 */
export async function sendMedia(
  req: IncomingMessage,
  res: ServerResponse,
  file: MediaFile,
  body: MediaBody,
  representation: Representation = representationOf(file),
): Promise<void> {
  const { etag, lastModified } = representation;
  // What describes the bytes goes out only with them (200, 206) or with their confirmation (304): an
  // error answer (416, a storage 5xx) must not carry their validators, range or an hour of caching.
  const validators = () => {
    res.setHeader('Accept-Ranges', 'bytes');
    res.setHeader('ETag', etag);
    if (representation.lastModifiedHttp) res.setHeader('Last-Modified', representation.lastModifiedHttp);
    res.setHeader('Cache-Control', 'private, max-age=3600');
  };

  const ifNoneMatch = header(req, 'if-none-match');
  const ifModifiedSince = header(req, 'if-modified-since');
  if (
    ifNoneMatch
      ? noneMatch(ifNoneMatch, etag)
      : ifModifiedSince && lastModified && notModifiedSince(ifModifiedSince, lastModified)
  ) {
    validators();
    res.statusCode = 304;
    res.end();
    return;
  }

  const ifRange = header(req, 'if-range');
  const rangeHeader =
    ifRange && !ifRangeHolds(ifRange, etag, lastModified) ? undefined : header(req, 'range');
  const decision = decideRange(rangeHeader, file.size);
  if (decision.kind === 'unsatisfiable') {
    res.setHeader('Content-Range', `bytes */${file.size}`);
    throw new AppError(
      416,
      'range_not_satisfiable',
      `The file has ${file.size} bytes; that range is outside it.`,
    );
  }
  const [start, end] = decision.kind === 'partial' ? [decision.start, decision.end] : [0, file.size - 1];
  const length = file.size === 0 ? 0 : end - start + 1;
  const status = decision.kind === 'partial' ? 206 : 200;
  const answer = () => {
    validators();
    res.setHeader('Content-Type', representation.contentType);
    res.setHeader('Content-Disposition', representation.disposition);
    res.setHeader('Content-Length', String(length));
    if (decision.kind === 'partial') res.setHeader('Content-Range', `bytes ${start}-${end}/${file.size}`);
    res.statusCode = status;
  };

  if (req.method === 'HEAD' || length === 0) {
    answer();
    res.end();
    return;
  }
  let source: Readable | undefined;
  let first: Buffer | null | undefined;
  try {
    source = body.open(start, end);
    first = await opened(source);
  } catch (error) {
    source?.destroy();
    throw storageError(error);
  }
  answer();
  if (first === null) {
    res.end();
    return;
  }
  // The store has opened the bytes (or read the first chunk). The status line goes out with the first
  // chunk (one write), and the body follows with the socket's backpressure.
  try {
    await pump(first, source, res, body.onBytes, body.sendTimeoutMs ?? DEFAULT_SEND_TIMEOUT_MS);
  } catch (error) {
    source.destroy();
    // The first read failed after the open: nothing is out yet, so it is still a clean 5xx.
    if (!res.headersSent && !res.destroyed) throw storageError(error);
    // The client went away or storage failed mid-body: headers are out, so the only honest signal left
    // is closing the connection short of Content-Length. Destroying the source stops its fetches.
    res.destroy();
  }
}

/**
 * Writes `first` (when already read), then the rest of `source`, to `res`, pausing the source while the socket is full,
 * and hands each chunk back to its store (`releaseChunk`) once the socket has taken it. Resolves when
 * the response has finished; rejects when the source fails or the client goes away first.
 */
function pump(
  first: Buffer | undefined,
  source: Readable,
  res: ServerResponse,
  onBytes: (count: number) => void,
  sendTimeoutMs: number,
): Promise<void> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const settle = (error?: Error) => {
      if (settled) return;
      settled = true;
      source.off('data', write).off('end', end).off('error', settle);
      res.off('drain', resume).off('finish', finish).off('close', closed).off('error', settle);
      res.off('timeout', stalled);
      if (error) reject(error);
      else resolve();
    };
    const write = (chunk: Buffer) => {
      onBytes(chunk.length);
      if (!res.write(chunk, () => releaseChunk(chunk))) source.pause();
    };
    const resume = () => source.resume();
    const end = () => res.end();
    const finish = () => settle();
    const closed = () => settle(new Error('the client closed the connection'));
    // A client that stops reading would hold its slot, its file and a chunk for ever: cut off once
    // the socket has taken nothing for the timeout (every write it completes restarts the clock).
    const stalled = () => settle(new Error(`the client took no bytes for ${sendTimeoutMs / 1000} s`));
    if (res.destroyed) return settle(new Error('the client closed the connection'));
    res.setTimeout(sendTimeoutMs, stalled);
    source.on('data', write).once('end', end).once('error', settle);
    res.on('drain', resume).once('finish', finish).once('close', closed).once('error', settle);
    if (first) write(first);
  });
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

/**
 * Waits until `source` can deliver: its `ready` event (a store that opens before reading emits it
 * once the bytes are there: undefined), else its first chunk (a Buffer), or null when it ends at
 * once. A failure to open rejects, so the caller still answers with a clean 5xx. The stream is not
 * put in flowing mode.
 */
function opened(source: Readable): Promise<Buffer | null | undefined> {
  return new Promise((resolve, reject) => {
    const done = () => {
      source.off('ready', onReady);
      source.off('readable', onReadable);
      source.off('end', onEnd);
      source.off('error', onError);
    };
    const onReady = () => {
      done();
      resolve(undefined);
    };
    const onReadable = () => {
      const chunk = source.read() as Buffer | null;
      if (chunk === null) return;
      done();
      resolve(chunk);
    };
    const onEnd = () => {
      done();
      resolve(null);
    };
    const onError = (error: Error) => {
      done();
      reject(error);
    };
    source.once('ready', onReady);
    source.on('readable', onReadable);
    source.once('end', onEnd);
    source.once('error', onError);
  });
}

function storageError(error: unknown): AppError {
  if (error instanceof StoredObjectMissingError) {
    return new AppError(502, 'storage_missing', 'The stored bytes of this file are missing.');
  }
  if (error instanceof StorageUnavailableError) {
    return new AppError(503, 'storage_unavailable', 'Storage is unavailable right now; retry shortly.');
  }
  return new AppError(502, 'storage_error', 'Reading this file from storage failed.');
}
