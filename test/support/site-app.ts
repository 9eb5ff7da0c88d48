import { freePort } from './free-port.js';
import { type InProcessApp, startInProcessApp } from './in-process-app.js';

/** What a browser sends when it navigates to a page (errors then come back as site pages, not JSON). */
export const BROWSER_ACCEPT = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };

/**
 * The whole app (ROLE=all) for viewer-site tests, on a port chosen first so that PUBLIC_URL (magic
 * links, the links the site mints) points at this very instance.
 */
export async function startSiteApp(env: Record<string, string>): Promise<InProcessApp> {
  const port = await freePort();
  return startInProcessApp({
    ROLE: 'all',
    PORT: String(port),
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    ...env,
  });
}
