import { request as httpRequest } from 'node:http';

export interface HostResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  bytes: Buffer;
  text: string;
  body: Record<string, unknown> & unknown[];
}

/**
 * A cookie-keeping client (one instance is one browser) that addresses the app on 127.0.0.1 under a
 * chosen `Host` header, as a browser on that tenant's domain would (fetch cannot set `Host`).
 */
export class HostClient {
  private readonly cookies = new Map<string, string>();

  constructor(
    private readonly baseUrl: string,
    readonly host: string,
  ) {}

  request(
    method: string,
    path: string,
    options: {
      json?: unknown;
      /** An HTML form post (`application/x-www-form-urlencoded`). */
      form?: Record<string, string>;
      headers?: Record<string, string>;
      timeoutMs?: number;
    } = {},
  ): Promise<HostResponse> {
    const url = new URL(path, this.baseUrl);
    const headers: Record<string, string> = { host: this.host, ...options.headers };
    if (this.cookies.size > 0) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
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
            let parsed: unknown = text;
            try {
              parsed = JSON.parse(text);
            } catch {
              // not JSON; keep the text
            }
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              bytes,
              text,
              body: parsed as HostResponse['body'],
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
          resolve({
            status: 0,
            headers: {},
            bytes: Buffer.alloc(0),
            text: '',
            body: '' as unknown as HostResponse['body'],
          });
        });
      }
      req.end(body);
    });
  }

  get = (path: string, headers?: Record<string, string>) => this.request('GET', path, { headers });
  post = (path: string, json?: unknown, headers?: Record<string, string>) =>
    this.request('POST', path, { json, headers });
  patch = (path: string, json?: unknown) => this.request('PATCH', path, { json });
  delete = (path: string) => this.request('DELETE', path);

  cookie(name: string): string | undefined {
    return this.cookies.get(name);
  }

  setCookie(name: string, value: string): void {
    this.cookies.set(name, value);
  }

  /** Signs in as `username` through the real login route, on this client's host. */
  async login(username: string, password: string): Promise<void> {
    const res = await this.post('/api/auth/login', { username, password });
    if (res.status !== 200) {
      throw new Error(`login as ${username} on ${this.host} failed: ${res.status} ${res.text}`);
    }
  }

  private keepCookie(line: string): void {
    const [pair] = line.split(';');
    const name = pair.slice(0, pair.indexOf('='));
    const value = pair.slice(pair.indexOf('=') + 1);
    if (value === '' || /Expires=Thu, 01 Jan 1970/i.test(line)) this.cookies.delete(name);
    else this.cookies.set(name, value);
  }
}
