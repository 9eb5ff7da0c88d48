import { randomUUID } from 'node:crypto';
import { type IncomingMessage } from 'node:http';

/** What a caller may name its request with (a proxy's id, say): anything else is replaced. */
const INCOMING_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** The request's `X-Request-Id`: the caller's when it is a plain token, else a fresh UUID. */
export function requestIdOf(req: IncomingMessage): string {
  const incoming = req.headers['x-request-id'];
  return typeof incoming === 'string' && INCOMING_ID.test(incoming) ? incoming : randomUUID();
}
