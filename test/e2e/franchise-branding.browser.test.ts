import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PROJECT_ROOT } from '../support/paths.js';
import { startBrowser, type TestBrowser } from '../support/browser.js';
import { startTestDatabase, type TestDatabase } from '../support/database.js';
import { type InProcessApp, signInAdmin } from '../support/in-process-app.js';
import { PageAudit } from '../support/page-audit.js';
import { startSiteApp } from '../support/site-app.js';
import { serveHostFromApp } from '../support/tenant-browser.js';

const SCREENSHOTS = join(PROJECT_ROOT, 'test-output', 'franchise');
const LOGO = `data:image/svg+xml;base64,${Buffer.from(
  '<svg xmlns="http://www.w3.org/2000/svg" width="28" height="28"><circle cx="14" cy="14" r="12" fill="#b00020"/></svg>',
).toString('base64')}`;

const TENANTS = [
  {
    slug: 'red-cinema',
    host: 'red-cinema.test',
    branding: {
      siteName: 'Red Cinema',
      logo: LOGO,
      footer: 'Red Cinema, films every night',
      colors: { background: '#ffffff', text: '#1a1a1a', primary: '#b00020' },
    },
    background: 'rgb(255, 255, 255)',
  },
  {
    slug: 'night-owl',
    host: 'night-owl.test',
    branding: {
      siteName: 'Night Owl',
      footer: 'Night Owl streams',
      colors: { background: '#0d1b2a', text: '#f0f0f0', primary: '#ffb703' },
    },
    background: 'rgb(13, 27, 42)',
  },
];

describe('franchise: branded tenant sites in headless Chromium', () => {
  let db: TestDatabase;
  let server: InProcessApp;
  let browser: TestBrowser;

  before(async () => {
    db = await startTestDatabase();
    server = await startSiteApp({ MONGODB_URI: db.uri });
    const operator = await signInAdmin(server);
    for (const tenant of TENANTS) {
      const res = await operator.post('/api/tenants', {
        slug: tenant.slug,
        name: tenant.slug,
        domains: [tenant.host],
        branding: tenant.branding,
      });
      assert.equal(res.status, 201, JSON.stringify(res.body));
    }
    browser = await startBrowser(server.url);
    for (const tenant of TENANTS) await serveHostFromApp(browser.context, tenant.host, server.url);
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    await db?.stop();
  });

  for (const tenant of TENANTS) {
    it(`shows ${tenant.branding.siteName}'s name, logo, colors and footer, under the site's CSP`, async () => {
      const page = await browser.newPage();
      const origin = `http://${tenant.host}`;
      const audit = new PageAudit(page, origin, SCREENSHOTS);
      const response = await page.goto(`${origin}/`);
      assert.equal(response?.status(), 200);
      assert.match(await page.title(), new RegExp(`· ${tenant.branding.siteName}$`));
      assert.equal((await page.locator('header .brand').innerText()).trim(), tenant.branding.siteName);
      assert.equal(await page.locator('header .brand img').count(), tenant.branding.logo ? 1 : 0);
      assert.match(await page.locator('footer').innerText(), new RegExp(tenant.branding.footer));
      assert.equal(
        await page.evaluate<string>('getComputedStyle(document.body).backgroundColor'),
        tenant.background,
      );
      assert.match(String(response?.headers()['content-security-policy']), /style-src 'self'/);
      await audit.check(`home-${tenant.slug}`);
      audit.assertClean();
      await page.close();
    });
  }

  it("leaves the operator's own site as it was", async () => {
    const page = await browser.newPage();
    await page.goto(`${server.url}/`);
    assert.match(await page.title(), /· StreamVault$/);
    assert.equal(await page.locator('link[href="/site/brand.css"]').count(), 0);
    await page.close();
  });
});
