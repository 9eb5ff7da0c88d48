import { type IncomingMessage, type ServerResponse } from 'node:http';
import { type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/** Counts bytes against a site's monthly streaming quota. */
export type ByteCounter = (bytes: number) => void;

/**
 * Ends the response with `body` (its headers already set) and counts it once the socket has taken
 * all of it: a HEAD gets the headers alone and a client gone before the end is not charged — the
 * page API is public, so HEADs and dropped requests must not use up a tenant's month.
 */
export function endMetered(
  req: IncomingMessage,
  res: ServerResponse,
  body: Buffer,
  count: ByteCounter,
): void {
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  const socket = res.socket; // detached by the time 'finish' is heard
  // 'finish' follows a reset connection too (its pending writes are dropped): the error tells them apart.
  res.once('finish', () => {
    if (!socket?.errored) count(body.length);
  });
  res.end(body);
}

/**
 * Streams what `open` gives to the response, counting each chunk as it is handed on (a client that
 * goes away stops the stream, and the rest is neither read nor counted). A HEAD never opens it.
 */
export async function pipeMetered(
  req: IncomingMessage,
  res: ServerResponse,
  open: () => Readable,
  count: ByteCounter,
): Promise<void> {
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  const stream = open();
  stream.on('data', (chunk: Buffer) => count(chunk.length));
  await pipeline(stream, res);
}
