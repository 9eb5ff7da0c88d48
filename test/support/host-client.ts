import { request as httpRequest } from 'node:http';
import { type ClientRequestOptions, type ClientResponse, CookieClient, jsonOrText } from './cookie-client.js';

export interface HostResponse extends ClientResponse {
  headers: Record<string, string | string[] | undefined>;
  bytes: Buffer;
  text: string;
}

export interface HostRequestOptions extends ClientRequestOptions {
  /** An HTML form post (`application/x-www-form-urlencoded`); as pairs, a name may repeat. */
  form?: Record<string, string> | [name: string, value: string][];
  timeoutMs?: number;
}

/**
 * A cookie-keeping client (one instance is one browser) that addresses the app on 127.0.0.1 under a
 * chosen `Host` header, as a browser on that tenant's domain would (fetch cannot set `Host`).
 */
export class HostClient extends CookieClient<HostResponse> {
  constructor(
    baseUrl: string,
    readonly host: string,
  ) {
    super(baseUrl, host);
  }

  request(method: string, path: string, options: HostRequestOptions = {}): Promise<HostResponse> {
    const url = new URL(path, this.baseUrl);
    const headers: Record<string, string> = { host: this.host, ...options.headers, ...this.cookieHeader() };
    const body =
      options.form !== undefined
        ? Buffer.from(new URLSearchParams(options.form).toString())
        : options.json === undefined
          ? undefined
          : Buffer.from(JSON.stringify(options.json));
    if (body) {
      headers['content-type'] = options.form ? 'application/x-www-form-urlencoded' : 'application/json';
      headers['content-length'] = String(body.length);
    }
    return new Promise((resolve, reject) => {
      const req = httpRequest(
        { host: url.hostname, port: url.port, path: `${url.pathname}${url.search}`, method, headers },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('error', reject);
          res.on('end', () => {
            for (const line of res.headers['set-cookie'] ?? []) this.keepCookie(line);
            const bytes = Buffer.concat(chunks);
            const text = bytes.toString('utf8');
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              bytes,
              text,
              body: jsonOrText(text),
            });
          });
        },
      );
      req.on('error', reject);
      // A response still open after `timeoutMs` (an event stream) is reported as status 0.
      if (options.timeoutMs) {
        req.setTimeout(options.timeoutMs, () => {
          req.removeAllListeners('error');
          req.on('error', () => undefined);
          req.destroy();
          resolve({ status: 0, headers: {}, bytes: Buffer.alloc(0), text: '', body: jsonOrText('') });
        });
      }
      req.end(body);
    });
  }
}
