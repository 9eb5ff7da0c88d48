import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { freePort } from './free-port.js';
import { PROJECT_ROOT } from './paths.js';

/** Debian's Chromium (scripts/lib/debian-packages.mjs installs it during test setup). */
export const CHROMIUM = '/usr/bin/chromium';
export const SCREENSHOT_DIR = join(PROJECT_ROOT, 'test-output', 'admin');
export const SITE_SCREENSHOT_DIR = join(PROJECT_ROOT, 'test-output', 'site');
export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };

const LAUNCH_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface TestBrowser {
  context: BrowserContext;
  newPage(): Promise<Page>;
  /** Every alert/confirm/prompt any page opened, in order (confirms are accepted). */
  dialogs: { type: string; message: string }[];
  close(): Promise<void>;
}

/**
 * Headless Chromium for panel tests, with a context whose only reachable host is the app (and the
 * `alsoReach` ones a test names: a second instance, a mirror): everything
 * else goes to a proxy on a closed loopback port (and `<-loopback>` stops Chromium's implicit
 * loopback bypass), so no test traffic leaves the machine or reaches another local server.
 */
export async function startBrowser(
  appUrl: string,
  { alsoReach = [], javaScript = true }: { alsoReach?: readonly string[]; javaScript?: boolean } = {},
): Promise<TestBrowser> {
  const browser: Browser = await chromium.launch({ executablePath: CHROMIUM, args: LAUNCH_ARGS });
  const app = new URL(appUrl);
  const context = await browser.newContext({
    viewport: DESKTOP,
    // `javaScript: false` checks what works as plain HTML (forms, links, redirects).
    javaScriptEnabled: javaScript,
    // A port just released: nothing listens there, so a proxied request fails at once.
    proxy: {
      server: `http://127.0.0.1:${await freePort()}`,
      bypass: ['<-loopback>', app.host, ...alsoReach.map((url) => new URL(url).host)].join(','),
    },
  });
  const dialogs: TestBrowser['dialogs'] = [];
  context.on('page', (page) =>
    page.on('dialog', (dialog) => {
      dialogs.push({ type: dialog.type(), message: dialog.message() });
      void (dialog.type() === 'confirm' ? dialog.accept() : dialog.dismiss());
    }),
  );
  return {
    context,
    newPage: () => context.newPage(),
    dialogs,
    close: () => browser.close(),
  };
}

/**
 * Saves the page at desktop and phone sizes under `dir` (test-output/admin/ unless told) and returns
 * how far the page overflows horizontally at the phone width (0 = no horizontal scroll).
 */
export async function screenshotBothSizes(page: Page, name: string, dir = SCREENSHOT_DIR): Promise<number> {
  mkdirSync(dir, { recursive: true });
  await page.setViewportSize(DESKTOP);
  await screenshot(page, { path: join(dir, `${name}-1280x800.png`) });
  await page.setViewportSize(PHONE);
  await screenshot(page, { path: join(dir, `${name}-390x844.png`), fullPage: true });
  // A string: test code is compiled without the DOM library.
  const overflow = await page.evaluate<number>(
    'document.documentElement.scrollWidth - document.documentElement.clientWidth',
  );
  await page.setViewportSize(DESKTOP);
  return overflow;
}

/**
 * `page.screenshot`, tried again when headless Chromium has no frame to give yet ("Unable to capture
 * screenshot", seen right after a viewport change on a busy 2-CPU machine); any other error is thrown.
 */
async function screenshot(page: Page, options: Parameters<Page['screenshot']>[0]): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await page.screenshot(options);
      return;
    } catch (error) {
      if (attempt >= 3 || !/Unable to capture screenshot/.test(String(error))) throw error;
      await new Promise((resolve) => setTimeout(resolve, 250 * attempt));
    }
  }
}
