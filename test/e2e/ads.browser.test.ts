import assert from 'node:assert/strict';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type Page } from 'playwright-core';
import { AdSettingsService } from '../../src/franchise/ads/settings/ad-settings.service.js';
import { type AdsSettings } from '../../src/franchise/ads/dto/ads-settings.dto.js';
import { adSettings, storeVideo } from '../support/ads.js';
import { SITE_SCREENSHOT_DIR, startBrowser, type TestBrowser } from '../support/browser.js';
import { startTestDatabase, type TestDatabase } from '../support/database.js';
import { eventually } from '../support/eventually.js';
import { type InProcessApp, TEST_ADMIN_PASSWORD, signInAdmin } from '../support/in-process-app.js';
import { PageAudit } from '../support/page-audit.js';
import { startSiteApp } from '../support/site-app.js';

const SCREENSHOTS = join(SITE_SCREENSHOT_DIR, 'ads');

/** A network snippet whose inline script runs only if it carries the page's nonce. */
const SNIPPET =
  '<div id="net-banner" class="banner">Banner placeholder</div>' +
  "<script>document.getElementById('net-banner').textContent = 'Spring sale: the banner script ran';</script>";

describe('ads in headless Chromium', () => {
  let db: TestDatabase;
  let server: InProcessApp;
  let browser: TestBrowser;
  let creativeId: string;
  let contentId: string;
  // Accepts connections and says nothing: a VAST tag whose TLS handshake, and so its fetch, hangs.
  const silentSockets = new Set<Socket>();
  const silent = createServer((socket) => silentSockets.add(socket));

  before(async () => {
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    db = await startTestDatabase();
    server = await startSiteApp({ MONGODB_URI: db.uri });
    await signInAdmin(server); // creates the admin account
    creativeId = String((await storeVideo(server.app, 3, 'house-ad.webm'))._id);
    contentId = String((await storeVideo(server.app, 6, 'Feature.Film.2020.webm'))._id);
    browser = await startBrowser(server.url, {
      alsoReach: [`https://127.0.0.1:${(silent.address() as AddressInfo).port}`],
    });
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    await db?.stop();
    for (const socket of silentSockets) socket.destroy();
    await new Promise<void>((resolve) => silent.close(() => resolve()));
  });

  const configure = (overrides: Record<string, unknown>) =>
    server.app
      .get(AdSettingsService)
      .save('default', adSettings(overrides) as unknown as AdsSettings, 'test');

  const houseAd = (skipOffsetSeconds: number) => ({
    vastTagUrl: '/ads/vast.xml',
    skipOffsetSeconds,
    houseAd: { fileId: creativeId, clickThrough: 'https://advertiser.example.com/' },
  });

  /**
   * A fresh visitor (own cookies) on the player, recording every ad tracking request in order (less
   * its serving token, which each carries) and the status of every answer.
   */
  const openPlayer = async () => {
    await browser.context.clearCookies();
    const page = await browser.newPage();
    const beacons: string[] = [];
    const answers: number[] = [];
    page.on('request', (request) => {
      const url = new URL(request.url());
      if (!url.pathname.startsWith('/ads/track/')) return;
      const token = url.searchParams.get('token');
      url.searchParams.delete('token');
      const path = `${url.pathname.slice('/ads/track/'.length)}${url.search}`;
      beacons.push(`${request.method()} ${path}${token ? '' : ' (no token)'}`);
    });
    page.on('response', (response) => {
      if (new URL(response.url()).pathname.startsWith('/ads/track/')) answers.push(response.status());
    });
    return { page, beacons, answers };
  };

  /** Polled with page.evaluate: waitForFunction evaluates its string with eval, which the CSP forbids. */
  const contentPlaying = (page: Page, timeoutMs = 15_000) =>
    eventually(
      () =>
        page.evaluate<boolean>(
          `(() => { const v = document.getElementById('video'); return !v.paused && v.currentTime > 0.3; })()`,
        ),
      (playing) => playing,
      { timeoutMs, what: 'the content playing' },
    );

  it('plays the house-ad pre-roll to the end, its VAST beacons in order, then the content', async () => {
    await configure(houseAd(0));
    const { page, beacons, answers } = await openPlayer();
    await page.goto(`${server.url}/play/${contentId}?autoplay=1`);
    await page.locator('#ad-break').waitFor({ state: 'visible', timeout: 15_000 });
    assert.equal(
      await page.evaluate<boolean>(`document.getElementById('video').paused`),
      true,
      'the content waits',
    );
    await page.locator('#ad-break').waitFor({ state: 'hidden', timeout: 20_000 });
    await contentPlaying(page);
    assert.equal(await page.locator('#ad-skip').isVisible(), false);
    const house = beacons.filter((beacon) => beacon.startsWith('GET ')).map((beacon) => beacon.slice(4));
    assert.deepEqual(house, [
      'impression?source=house',
      'start?source=house',
      'firstQuartile?source=house',
      'midpoint?source=house',
      'thirdQuartile?source=house',
      'complete?source=house',
    ]);
    const player = beacons.filter((beacon) => beacon.startsWith('POST ')).map((beacon) => beacon.slice(5));
    assert.deepEqual(player, [
      'impression?break=pre&ad=0',
      'start?break=pre&ad=0',
      'firstQuartile?break=pre&ad=0',
      'midpoint?break=pre&ad=0',
      'thirdQuartile?break=pre&ad=0',
      'complete?break=pre&ad=0',
    ]);
    await eventually(
      async () => answers.length,
      (count) => count === beacons.length,
      { what: 'every beacon answered' },
    );
    assert.ok(
      answers.every((status) => status === 204),
      `every beacon's token accepted: ${answers.join(' ')}`,
    );
    await page.close();
  });

  it('shows the skip button only from the skip offset on; a click opens the advertiser and is tracked once however often repeated; skipping fires the skip beacon and starts the content', async () => {
    await configure(houseAd(1));
    const { page, beacons } = await openPlayer();
    const audit = new PageAudit(page, server.url, SCREENSHOTS);
    await page.goto(`${server.url}/play/${contentId}?autoplay=1`);
    await page.locator('#ad-break').waitFor({ state: 'visible', timeout: 15_000 });
    const skip = page.getByRole('button', { name: 'Skip ad' });
    await skip.waitFor({ state: 'visible', timeout: 15_000 });
    const adTime = await page.evaluate<number>(`document.getElementById('ad-video').currentTime`);
    assert.ok(adTime >= 1, `the skip button appears at the 1 s offset (ad at ${adTime} s)`);
    await page.evaluate(`document.getElementById('ad-video').pause()`);
    await audit.check('player-ad-break');
    // A click opens the click-through in a new tab (the closed proxy stops it there) and is tracked.
    const [popup, request] = await Promise.all([
      page.waitForEvent('popup'),
      browser.context.waitForEvent(
        'request',
        (sent) => new URL(sent.url()).host === 'advertiser.example.com',
      ),
      page.getByRole('button', { name: 'Visit advertiser' }).click(),
    ]);
    assert.equal(request.url(), 'https://advertiser.example.com/');
    await popup.close();
    // A second click opens the advertiser again, and is not reported again.
    const [again] = await Promise.all([
      page.waitForEvent('popup'),
      page.getByRole('button', { name: 'Visit advertiser' }).click(),
    ]);
    await again.close();
    await skip.click();
    await contentPlaying(page);
    assert.equal(await page.locator('#ad-break').isVisible(), false);
    const house = beacons
      .filter((beacon) => beacon.startsWith('GET '))
      .map((beacon) => beacon.split('?')[0].slice(4));
    assert.deepEqual([house[0], house[1], house.at(-1)], ['impression', 'start', 'skip']);
    assert.ok(house.indexOf('click') > 1, 'the click beacon after the start');
    assert.equal(beacons.filter((beacon) => beacon === 'GET click?source=house').length, 1);
    assert.equal(beacons.filter((beacon) => beacon === 'POST click?break=pre&ad=0').length, 1);
    assert.equal(beacons.filter((beacon) => beacon.includes('click')).length, 2);
    assert.ok(beacons.includes('POST skip?break=pre&ad=0'));
    audit.assertClean();
    await page.close();
  });

  it('plays a mid-roll when the content passes its offset, then goes on from there', async () => {
    await configure({ ...houseAd(0), preroll: false, midrollOffsets: [2] });
    const { page, beacons } = await openPlayer();
    await page.goto(`${server.url}/play/${contentId}?autoplay=1`);
    await page.locator('#ad-break').waitFor({ state: 'visible', timeout: 15_000 });
    const held = await page.evaluate<{ paused: boolean; time: number }>(
      `(() => { const v = document.getElementById('video'); return { paused: v.paused, time: v.currentTime }; })()`,
    );
    assert.ok(held.paused && held.time >= 2, `the content waits at the offset (${JSON.stringify(held)})`);
    await page.locator('#ad-break').waitFor({ state: 'hidden', timeout: 20_000 });
    await eventually(
      () => page.evaluate<number>(`document.getElementById('video').currentTime`),
      (time) => time > held.time,
      { timeoutMs: 15_000, what: 'the content going on after the mid-roll' },
    );
    assert.ok(
      beacons.includes('POST impression?break=mid&ad=0') && beacons.includes('POST complete?break=mid&ad=0'),
    );
    await page.close();
  });

  it('a broken VAST tag starts the content at once (within the 3 s VAST time limit)', async () => {
    // A closed loopback port: the fetch fails; the CSP allows that origin because it is the tag's.
    await configure({ vastTagUrl: 'https://127.0.0.1:9/vast.xml' });
    const { page, beacons } = await openPlayer();
    await page.goto(`${server.url}/play/${contentId}?autoplay=1`);
    await contentPlaying(page, 5_000);
    assert.equal(await page.locator('#ad-break').isVisible(), false);
    assert.deepEqual(beacons, []);
    await page.close();
  });

  it('a VAST tag that never answers starts the content once the 3 s VAST time limit has passed', async () => {
    await configure({ vastTagUrl: `https://127.0.0.1:${(silent.address() as AddressInfo).port}/vast.xml` });
    const { page, beacons } = await openPlayer();
    await page.goto(`${server.url}/play/${contentId}?autoplay=1`);
    await contentPlaying(page);
    assert.ok(silentSockets.size > 0, 'the player did ask the tag');
    assert.equal(await page.locator('#ad-break').isVisible(), false);
    assert.deepEqual(beacons, []);
    await page.close();
  });

  it("display slots show the network snippet, its script running under the page's nonce; axe and CSP clean; none for admins", async () => {
    await configure({
      slots: {
        header: { kind: 'html', html: SNIPPET },
        sidebar: { kind: 'html', html: '<p class="house-promo">Our own promotion</p>' },
      },
    });
    const { page } = await openPlayer();
    const audit = new PageAudit(page, server.url, SCREENSHOTS);
    await page.goto(`${server.url}/`);
    await page.getByText('Spring sale: the banner script ran').waitFor();
    assert.equal(
      await page.getByRole('region', { name: 'Advertisement' }).getByText('Our own promotion').count(),
      1,
    );
    await audit.check('home-with-slot');
    await page.goto(`${server.url}/admin/login`);
    await page.getByLabel('Username').fill('admin');
    await page.getByLabel('Password').fill(TEST_ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${server.url}/admin`);
    await page.goto(`${server.url}/admin/ads`);
    assert.equal(await page.locator('h1').textContent(), 'Ads');
    await audit.check('admin-ads');
    await page.goto(`${server.url}/`);
    assert.equal(await page.locator('#net-banner').count(), 0, 'admins see no ads');
    audit.assertClean();
    await page.close();
  });
});
