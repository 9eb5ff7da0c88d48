/** What a response of any test client carries: its status and its body (parsed JSON, or the text). */
export interface ClientResponse {
  status: number;
  body: Record<string, unknown> & unknown[];
}

export interface ClientRequestOptions {
  json?: unknown;
  headers?: Record<string, string>;
}

/** The body as parsed JSON, or the text when it is not JSON. */
export function jsonOrText(text: string): ClientResponse['body'] {
  try {
    return JSON.parse(text) as ClientResponse['body'];
  } catch {
    return text as unknown as ClientResponse['body'];
  }
}

/**
 * A cookie-keeping HTTP client for e2e tests (one instance is one browser): the cookie jar, the
 * shorthand methods and signing in, over the `request` each kind of client sends with.
 */
export abstract class CookieClient<R extends ClientResponse> {
  private readonly cookies = new Map<string, string>();

  /** `target` names where requests go, in error messages (the host, for a client sending one). */
  constructor(
    protected readonly baseUrl: string,
    private readonly target = baseUrl,
  ) {}

  abstract request(method: string, path: string, options?: ClientRequestOptions): Promise<R>;

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

  /** Signs in as `username` through the real login route. */
  async login(username: string, password: string): Promise<void> {
    const res = await this.post('/api/auth/login', { username, password });
    if (res.status !== 200) {
      throw new Error(
        `login as ${username} on ${this.target} failed: ${res.status} ${JSON.stringify(res.body)}`,
      );
    }
  }

  /** The `cookie` header carrying every kept cookie (none while the jar is empty). */
  protected cookieHeader(): Record<string, string> {
    if (this.cookies.size === 0) return {};
    return { cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ') };
  }

  /** Keeps the cookie a `set-cookie` line sets, or forgets it when the line clears or expires it. */
  protected keepCookie(line: string): void {
    const [pair] = line.split(';');
    const name = pair.slice(0, pair.indexOf('='));
    const value = pair.slice(pair.indexOf('=') + 1);
    if (value === '' || /Expires=Thu, 01 Jan 1970/i.test(line)) this.cookies.delete(name);
    else this.cookies.set(name, value);
  }
}
