import { type ServerResponse } from 'node:http';

/** Headers that describe a body a handler meant to send (its bytes, range, validators, name). */
const BODY_HEADERS = [
  'accept-ranges',
  'etag',
  'last-modified',
  'content-type',
  'content-disposition',
  'content-length',
  'content-range',
] as const;

/**
 * Readies `res` for an error answer: whatever a handler had said about the body it meant to send goes
 * (a media answer's ETag or Content-Range on a 502 JSON would describe bytes that are not there), and
 * the error is not to be kept by any cache. A 416 keeps its `Content-Range: bytes *\/size`, which is
 * what it answers with.
 */
export function prepareErrorAnswer(res: ServerResponse, status: number): void {
  const range = res.getHeader('content-range');
  for (const name of BODY_HEADERS) res.removeHeader(name);
  if (status === 416 && typeof range === 'string' && range.startsWith('bytes */')) {
    res.setHeader('Content-Range', range);
  }
  res.setHeader('Cache-Control', 'no-store');
}
