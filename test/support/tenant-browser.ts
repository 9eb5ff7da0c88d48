import { type BrowserContext } from 'playwright-core';
import { HostClient } from './host-client.js';

/**
 * Lets Chromium open `http://<host>/...` (a tenant's domain, which resolves nowhere) by answering each
 * request from the app on 127.0.0.1 with that `Host` header: the browser sees the tenant's own
 * origin, as a visitor of its domain would.
 */
export async function serveHostFromApp(context: BrowserContext, host: string, appUrl: string): Promise<void> {
  await context.route(`http://${host}/**`, async (route) => {
    const request = route.request();
    const url = new URL(request.url());
    const headers = Object.fromEntries(
      Object.entries(await request.allHeaders()).filter(([name]) => !name.startsWith(':') && name !== 'host'),
    );
    const res = await new HostClient(appUrl, host).request(request.method(), `${url.pathname}${url.search}`, {
      headers,
    });
    const responseHeaders: Record<string, string> = {};
    for (const [name, value] of Object.entries(res.headers)) {
      if (value !== undefined && name !== 'content-length' && name !== 'transfer-encoding') {
        responseHeaders[name] = Array.isArray(value) ? value.join('\n') : value;
      }
    }
    await route.fulfill({ status: res.status, headers: responseHeaders, body: res.bytes });
  });
}
