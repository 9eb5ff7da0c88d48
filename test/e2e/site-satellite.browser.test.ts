import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startBrowser, type TestBrowser } from '../support/browser.js';
import { type SatelliteMirror, startSatelliteInstall } from '../support/satellite-mirror.js';
import { startTestDatabase, type TestDatabase } from '../support/database.js';
import { type InProcessApp, signInAdmin } from '../support/in-process-app.js';

describe('satellite fail-over in Chromium', () => {
  let db: TestDatabase;
  let first: InProcessApp | undefined;
  let second: InProcessApp;
  let mirror: SatelliteMirror;
  let browser: TestBrowser;

  before(async () => {
    db = await startTestDatabase();
    ({ mirror, first, second } = await startSatelliteInstall(db.uri));
    browser = await startBrowser(first.url, { alsoReach: [second.url, mirror.url] });
  });
  after(async () => {
    await browser?.close();
    await second?.close();
    await first?.close();
    await mirror?.close();
    await db?.stop();
  });

  it('the first origin stops: a tampered mirror copy is refused (the page stays), the signed one moves it to the second', async () => {
    const firstUrl = first!.url;
    const admin = await signInAdmin(second);
    const saved = await admin.request('PUT', '/api/satellite', { json: { origins: [firstUrl, second.url] } });
    assert.equal(saved.status, 200);
    const signed = (await admin.get('/api/satellite/download')).body as unknown as {
      payload: string;
      signature: string;
    };
    const payload = JSON.parse(Buffer.from(signed.payload, 'base64url').toString('utf8')) as object;
    const tampered = Buffer.from(JSON.stringify({ ...payload, origins: ['http://127.0.0.1:9'] })).toString(
      'base64url',
    );
    mirror.state.body = JSON.stringify({ ...signed, payload: tampered });

    const page = await browser.newPage();
    await page.goto(`${firstUrl}/healthz`);
    const config = JSON.stringify({
      publicKey: saved.body.publicKey,
      mirrors: [mirror.url],
      checkEverySeconds: 1,
    });
    // What the site layout carries (views/site/README.md): the key and mirrors, then the module.
    await page.evaluate(`(() => {
      const meta = document.createElement('meta');
      meta.name = 'sv-satellite';
      meta.content = ${JSON.stringify(config)};
      document.head.append(meta);
    })()`);
    await page.addScriptTag({ url: '/assets/site/satellite.mjs', type: 'module' });
    const status = (value: string) => page.locator(`html[data-satellite="${value}"]`);
    await status('ok').waitFor({ state: 'attached' });

    await first!.close();
    first = undefined;
    await status('refused').waitFor({ state: 'attached', timeout: 30000 });
    assert.ok(page.url().startsWith(firstUrl), 'a tampered document moves nobody');

    mirror.state.body = JSON.stringify(signed);
    await page.waitForURL(`${second.url}/**`, { timeout: 30000 });
    assert.equal(new URL(page.url()).origin, second.url);
    assert.match(await page.content(), /"status":"ok"/);
  });
});
