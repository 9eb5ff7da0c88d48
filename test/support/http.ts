import { type ClientRequestOptions, type ClientResponse, CookieClient, jsonOrText } from './cookie-client.js';

export interface TestResponse extends ClientResponse {
  headers: Headers;
}

/** Minimal cookie-keeping HTTP client for e2e tests (over fetch): one instance is one browser. */
export class TestClient extends CookieClient<TestResponse> {
  async request(method: string, path: string, options: ClientRequestOptions = {}): Promise<TestResponse> {
    const headers: Record<string, string> = { ...options.headers, ...this.cookieHeader() };
    if (options.json !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers,
      body: options.json === undefined ? undefined : JSON.stringify(options.json),
      redirect: 'manual',
    });
    for (const line of res.headers.getSetCookie()) this.keepCookie(line);
    return { status: res.status, headers: res.headers, body: jsonOrText(await res.text()) };
  }
}
