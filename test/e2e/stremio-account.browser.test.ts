import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { UserService } from '../../src/auth/user.service.js';
import { SITE_SCREENSHOT_DIR, startBrowser, type TestBrowser } from '../support/browser.js';
import { startTestDatabase, type TestDatabase } from '../support/database.js';
import { type InProcessApp } from '../support/in-process-app.js';
import { PageAudit } from '../support/page-audit.js';
import { startSiteApp } from '../support/site-app.js';
import { assertLintedManifest } from '../support/stremio-shapes.js';

describe('Stremio install link on the account page (Chromium)', () => {
  let db: TestDatabase;
  let server: InProcessApp;
  let browser: TestBrowser;

  before(async () => {
    db = await startTestDatabase();
    server = await startSiteApp({ MONGODB_URI: db.uri });
    await server.app.get(UserService).create({ username: 'bo', password: 'bo-password', role: 'viewer' });
    browser = await startBrowser(server.url);
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    await db?.stop();
  });

  it('creates an install link and a stremio:// button; the configure page narrows the catalogs', async () => {
    const page = await browser.newPage();
    const audit = new PageAudit(page, server.url, join(SITE_SCREENSHOT_DIR, 'stremio'));
    await page.goto(`${server.url}/account`);
    await page.fill('#username', 'bo');
    await page.fill('#password', 'bo-password');
    await page.click('#sign-in-form button[type=submit]');
    await page.locator('#stremio-create').waitFor();

    await page.click('#stremio-create');
    await page.locator('#stremio-links').waitFor({ state: 'visible' });
    const manifest = (await page.textContent('#stremio-manifest')) ?? '';
    assert.match(
      manifest,
      new RegExp(`^${server.url}/stremio/svp_[0-9a-f]{24}[A-Za-z0-9_-]{43}/manifest\\.json$`),
    );
    assert.equal(
      await page.getAttribute('#stremio-install', 'href'),
      manifest.replace(/^http:\/\//, 'stremio://'),
    );
    // The new app password is listed (and can be deleted there).
    await page.locator('#app-passwords td', { hasText: 'Stremio' }).waitFor();
    await audit.check('stremio-account');

    const installed = await fetch(manifest);
    assert.equal(installed.status, 200);
    assertLintedManifest(await installed.json());

    await page.click('#stremio-configure');
    await page.waitForURL(/\/configure$/);
    await page.uncheck('input[name=catalog][value=series]');
    await page.click('#stremio-configure-form button[type=submit]');
    await page.waitForURL(/catalog=movies/);
    const narrowed = (await page.textContent('#stremio-manifest-url')) ?? '';
    assert.equal(narrowed, manifest.replace('/manifest.json', '~movies.anime/manifest.json'));
    await audit.check('stremio-configure');
    const catalogs = ((await (await fetch(narrowed)).json()) as { catalogs: { id: string }[] }).catalogs;
    assert.deepEqual(
      catalogs.map((c) => c.id),
      ['sv-movies', 'sv-anime'],
    );
    audit.assertClean();
  });
});
