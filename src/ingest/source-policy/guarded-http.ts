import { type IncomingMessage, request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { type LookupFunction } from 'node:net';
import { parseSourceUrl } from './source-url.js';
import { SourceRefusedError } from './source-refused.error.js';
import { type ResolvedAddress, type SsrfGuard } from './ssrf-guard.js';

export interface GuardedRequestOptions {
  guard: SsrfGuard;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  maxRedirects?: number;
  timeoutMs?: number;
}

export interface GuardedResponse {
  response: IncomingMessage;
  /** The URL that answered, after redirects. */
  url: URL;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/**
 * GET through the SSRF guard: every hop (the first request and each redirect) is re-parsed by the
 * scheme policy and re-checked by the guard, and the socket connects to the address the guard
 * approved — never to a second DNS answer. TLS still verifies the certificate against the host name.
 */
export async function guardedGet(start: URL, options: GuardedRequestOptions): Promise<GuardedResponse> {
  let url = start;
  for (let hop = 0; ; hop++) {
    const pinned = await options.guard.check(url);
    const response = await send(url, pinned, options);
    const location = response.headers.location;
    if (!REDIRECTS.has(response.statusCode ?? 0) || !location) return { response, url };
    response.resume();
    if (hop >= (options.maxRedirects ?? 5))
      throw new SourceRefusedError('The link redirects too many times.');
    const next = parseSourceUrl(new URL(location, url).toString());
    if (next.kind !== 'http')
      throw new SourceRefusedError('The link redirects to something that is not http(s).');
    url = next.url;
  }
}

function send(url: URL, pinned: ResolvedAddress, options: GuardedRequestOptions): Promise<IncomingMessage> {
  const lookup: LookupFunction = (_hostname, lookupOptions, callback) => {
    if ((lookupOptions as { all?: boolean }).all) callback(null, [pinned]);
    else callback(null, pinned.address, pinned.family);
  };
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method: 'GET',
      headers: { 'user-agent': 'StreamVault', ...options.headers },
      lookup,
      signal: options.signal,
      timeout: options.timeoutMs ?? 30000,
    });
    req.once('response', resolve);
    req.once('timeout', () => req.destroy(new SourceRefusedError(`${url.host} did not answer in time.`)));
    req.once('error', reject);
    req.end();
  });
}

/** A response body over the reader's cap (the response is destroyed). */
export class BodyTooLargeError extends Error {}

/** The whole body of `response`, at most `maxBytes` of it: past that it is destroyed and this throws. */
export async function readAtMost(response: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) {
      response.destroy();
      throw new BodyTooLargeError(`the answer is over ${maxBytes} bytes`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}
