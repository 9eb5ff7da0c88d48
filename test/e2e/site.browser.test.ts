import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type Page } from 'playwright-core';
import { MagicLinkService } from '../../src/auth/magic-link.service.js';
import { UserService } from '../../src/auth/user.service.js';
import { LibraryService } from '../../src/library/library.service.js';
import { secureLinkSignature } from '../../src/stream/signing/secure-link.js';
import { SITE_SCREENSHOT_DIR, startBrowser, type TestBrowser } from '../support/browser.js';
import { eventually } from '../support/eventually.js';
import { PageAudit } from '../support/page-audit.js';
import { startTestDatabase, type TestDatabase } from '../support/database.js';
import { type InProcessApp } from '../support/in-process-app.js';
import { startSiteApp } from '../support/site-app.js';
import { storeFile } from '../support/library-fixtures.js';
import { tempDir } from '../support/media.js';

const HOSTILE = '<img src=x onerror="document.title=1">"quoted" & more';

/** A WebM (VP8/Vorbis) of `seconds` seconds, which every Chromium build plays. */
function webmVideo(seconds: number, name: string): string {
  const path = join(tempDir('sv-site-video-'), name);
  execFileSync('ffmpeg', [
    ...['-loglevel', 'error', '-y'],
    ...['-f', 'lavfi', '-i', `testsrc=size=160x120:rate=10:duration=${seconds}`],
    ...['-f', 'lavfi', '-i', `sine=frequency=440:duration=${seconds}`],
    ...['-c:v', 'libvpx', '-deadline', 'realtime', '-b:v', '100k', '-c:a', 'libvorbis', path],
  ]);
  return path;
}

describe('viewer site in headless Chromium', () => {
  let db: TestDatabase;
  let server: InProcessApp;
  let browser: TestBrowser;
  let page: Page;
  let showId: string;
  let episodeOne: string;
  let episodeTwo: string;
  let audit: PageAudit;

  before(async () => {
    db = await startTestDatabase();
    server = await startSiteApp({ MONGODB_URI: db.uri });
    const library = server.app.get(LibraryService);
    const show = await library.upsertSkeleton({ kind: 'series', name: 'Lighthouse Keepers', year: 2019 });
    await library.updateTitle(show._id, {
      overview: 'Two keepers, one lamp, and a very long winter on a rock in the sea.',
      genres: ['Drama', 'Mystery'],
      externalIds: { tmdb: 4242 },
    });
    const one = await storeFile(
      server.app,
      webmVideo(30, 'e1.webm'),
      'Lighthouse.Keepers.S01E01.webm',
      'video/webm',
    );
    const two = await storeFile(
      server.app,
      webmVideo(8, 'e2.webm'),
      'Lighthouse.Keepers.S01E02.webm',
      'video/webm',
    );
    await library.attachFiles(show._id, [
      { fileId: one._id, placement: { season: 1, episodes: [1] } },
      { fileId: two._id, placement: { season: 1, episodes: [2] } },
    ]);
    [showId, episodeOne, episodeTwo] = [String(show._id), String(one._id), String(two._id)];
    for (const [name, kind, year] of [
      ['Harbour Lights', 'movie', 2001],
      ['Northern Signal', 'movie', 2015],
      ['Tidewater', 'anime', 2020],
    ] as const) {
      const title = await library.upsertSkeleton({ kind, name, year });
      await library.updateTitle(title._id, { genres: ['Drama'] });
    }
    await server.app
      .get(UserService)
      .create({ username: 'viewer', password: 'viewer-password-1', role: 'viewer' });
    await server.app
      .get(UserService)
      .create({ username: 'boss', password: 'boss-password-1', role: 'admin' });

    browser = await startBrowser(server.url);
    page = await browser.newPage();
    audit = new PageAudit(page, server.url, SITE_SCREENSHOT_DIR);
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    await db?.stop();
  });

  /** Screenshots at both sizes, the phone overflow, and axe-core's serious/critical findings. */
  const check = async (name: string) => {
    await audit.check(name);
  };

  const videoState = () =>
    page.evaluate<{ time: number; duration: number; paused: boolean }>(
      `(() => { const v = document.getElementById('video'); return { time: v.currentTime, duration: v.duration, paused: v.paused }; })()`,
    );

  const waitForVideo = () =>
    page.waitForFunction(`document.getElementById('video')?.readyState >= 1`, undefined, { timeout: 15_000 });

  it('goes browse → search → title → play → leave, and "continue watching" resumes at the saved second', async () => {
    await page.goto(`${server.url}/browse`);
    await check('browse');
    assert.equal(await page.locator('.grid .card').count(), 4);
    await page.selectOption('select[name="kind"]', 'movie');
    await page.getByRole('button', { name: 'Show' }).click();
    await page.waitForURL(/kind=movie/);
    assert.equal(await page.locator('.grid .card').count(), 2);

    await page.goto(`${server.url}/`);
    await check('home');
    // Instant search: typed, debounced, then chosen with the keyboard.
    await page.getByLabel('Search titles').fill('lightho');
    await page.locator('#search-suggestions li').first().waitFor();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await page.waitForURL(`${server.url}/title/${showId}`);
    await check('title');
    assert.equal(await page.locator('#title-name').textContent(), 'Lighthouse Keepers');

    await page.getByRole('link', { name: 'Play Lighthouse.Keepers.S01E01.webm' }).click();
    await page.waitForURL(`${server.url}/play/${episodeOne}`);
    await waitForVideo();
    await check('player');
    const saved = page.waitForResponse(
      (res) => res.url().endsWith(`/api/progress/${episodeOne}`) && res.request().method() === 'PUT',
    );
    await page.evaluate(`(() => { const v = document.getElementById('video'); v.currentTime = 12; })()`);
    await page.waitForFunction(`document.getElementById('video').currentTime >= 12`);
    await page.evaluate(`document.getElementById('video').pause()`);
    assert.equal((await saved).status(), 200);
    await page.getByRole('link', { name: 'StreamVault' }).click();
    await page.waitForURL(`${server.url}/`);

    const resume = page.locator('#continue-list a.card').first();
    await resume.waitFor();
    assert.match((await resume.textContent()) ?? '', /Lighthouse Keepers/);
    assert.match((await resume.textContent()) ?? '', /S01E01/);
    // 12 s of 30: the bar shows 40 %; no still or poster yet, so the title's letter stands in.
    assert.equal(await resume.locator('.bar-progress span').getAttribute('style'), 'width: 40%;');
    assert.equal(await resume.locator('.thumb.blank').textContent(), 'L');
    // Reading and listening have their slots, hidden until those kinds keep progress.
    assert.equal(await page.locator('#continue-reading').isHidden(), true);
    assert.equal(await page.locator('#continue-listening').isHidden(), true);
    await check('home-continue');
    await resume.click();
    await page.waitForURL(`${server.url}/play/${episodeOne}`);
    await waitForVideo();
    await page.waitForFunction(`document.getElementById('resume-status').textContent !== ''`);
    const state = await videoState();
    assert.ok(Math.abs(state.time - 12) < 1, `resumed at ${state.time}, saved at 12`);
    assert.match((await page.locator('#resume-status').textContent()) ?? '', /Resumed at 00:12/);
  });

  it('plays the next episode by itself when one ends, after a countdown that can be seen', async () => {
    await page.goto(`${server.url}/play/${episodeOne}`);
    await waitForVideo();
    await page.evaluate(
      `(() => { const v = document.getElementById('video'); v.muted = true; v.currentTime = v.duration - 0.5; return v.play(); })()`,
    );
    await page.locator('#next-card').waitFor({ state: 'visible' });
    assert.match((await page.locator('#next-card').textContent()) ?? '', /Next: S01E02/);
    await page.waitForURL(`${server.url}/play/${episodeTwo}?autoplay=1`, { timeout: 20_000 });
    await waitForVideo();
    await page.waitForFunction(`!document.getElementById('video').paused`, undefined, { timeout: 10_000 });
  });

  it('posts comments and shows them as text, before and after a reload', async () => {
    await page.goto(`${server.url}/title/${showId}`);
    await page.getByLabel('Your comment').fill(HOSTILE);
    await page.getByRole('button', { name: 'Post comment' }).click();
    await page.locator('.comment p', { hasText: 'quoted' }).waitFor();
    const check = async () => {
      assert.equal(await page.locator('.comment p').first().textContent(), HOSTILE);
      assert.equal(await page.locator('.comments img').count(), 0);
      assert.notEqual(await page.title(), '1');
    };
    await check();
    await page.reload();
    await check();
    await page.getByRole('button', { name: 'Post comment' }).click();
    assert.equal(await page.locator('#comment-error').textContent(), 'A comment cannot be empty.');
  });

  it("takes comments on an episode's player page, and admins delete comments from the page", async () => {
    await page.goto(`${server.url}/play/${episodeTwo}`);
    await page.getByLabel('Your comment').fill(`episode two: ${HOSTILE}`);
    await page.getByRole('button', { name: 'Post comment' }).click();
    await page.locator('.comment p', { hasText: 'episode two' }).waitFor();
    await page.reload();
    assert.equal(await page.locator('.comment p').first().textContent(), `episode two: ${HOSTILE}`);
    assert.equal(await page.locator('.delete-comment').count(), 0, 'no delete buttons for viewers');
    await check('player-comments');
    // Episode one's page has its own (empty) list.
    await page.goto(`${server.url}/play/${episodeOne}`);
    assert.equal(await page.locator('.comment').count(), 0);

    const { url } = await server.app.get(MagicLinkService).create({ username: 'boss' }, 'test');
    await page.goto(url);
    for (const [path, text] of [
      [`/play/${episodeTwo}`, 'episode two'],
      [`/title/${showId}`, 'quoted'],
    ] as const) {
      await page.goto(`${server.url}${path}`);
      if (path.startsWith('/play/')) await check('player-comments-admin');
      const comment = page.locator('.comment', { hasText: text });
      await comment.getByRole('button', { name: /Delete comment by/ }).click();
      await comment.waitFor({ state: 'detached' });
      await page.reload();
      assert.equal(await page.locator('.comment', { hasText: text }).count(), 0, `${path}: deleted for good`);
    }
    assert.ok(browser.dialogs.some((dialog) => dialog.message === 'Delete this comment?'));
    await page.goto(`${server.url}/account`);
    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await page.getByRole('heading', { name: 'Sign in', level: 1 }).waitFor();
  });

  it('keeps what a guest watched after signing in with a magic link', async () => {
    // As a guest: part of the first episode seen, and listed to continue.
    await page.goto(`${server.url}/play/${episodeOne}`);
    await waitForVideo();
    const saved = page.waitForResponse(
      (res) => res.url().endsWith(`/api/progress/${episodeOne}`) && res.request().method() === 'PUT',
    );
    await page.evaluate(`(() => { const v = document.getElementById('video'); v.currentTime = 7; })()`);
    await page.waitForFunction(`document.getElementById('video').currentTime >= 7`);
    await page.evaluate(`document.getElementById('video').pause()`);
    assert.equal((await saved).status(), 200);

    const { url } = await server.app.get(MagicLinkService).create({ username: 'viewer' }, 'test');
    await page.goto(url);
    await page.waitForURL(`${server.url}/`);
    const resume = page.locator('#continue-list a.card').first();
    await resume.waitFor();
    assert.match((await resume.textContent()) ?? '', /Lighthouse Keepers/);
    assert.equal(await resume.getAttribute('href'), `/play/${episodeOne}`);
    await page.goto(`${server.url}/account`);
    await page.locator('#sessions tr').first().waitFor();
    await page.getByLabel('Label').fill('Reader app');
    await page.getByRole('button', { name: 'Create app password' }).click();
    await page.locator('#new-app-password-value').waitFor();
    assert.match((await page.locator('#new-app-password-value').textContent()) ?? '', /^svp_/);
    await check('account');
    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await page.getByRole('heading', { name: 'Sign in', level: 1 }).waitFor();
    await check('sign-in');
  });

  it('shows 404 and 410 pages in the site style, and search of any text', async () => {
    await page.goto(`${server.url}/title/0123456789abcdef01234567`);
    await check('not-found');
    const expires = Math.floor(Date.now() / 1000) - 60;
    const md5 = secureLinkSignature(`/watch/${episodeOne}`, expires, server.config.stream.secret);
    const expired = await page.goto(`${server.url}/watch/${episodeOne}?md5=${md5}&expires=${expires}`);
    assert.equal(expired?.status(), 410);
    await check('expired-link');
    await page.getByRole('link', { name: 'Get a new link' }).click();
    await page.waitForURL(`${server.url}/play/${episodeOne}`);

    for (const q of ['x'.repeat(10_240), '.*(a+)+$[\\^', '<b>Harbour</b>']) {
      const res = await page.goto(`${server.url}/search?q=${encodeURIComponent(q)}`);
      assert.equal(res?.status(), 200);
    }
    await page.goto(`${server.url}/search?q=harbour`);
    await check('search');
    assert.equal(await page.locator('.grid .card .name').first().textContent(), 'Harbour Lights');
  });

  it('is an installable app: valid manifest, a service worker, and an offline page without network', async () => {
    await page.goto(`${server.url}/`);
    const manifest = await page.evaluate<{
      name: string;
      start_url: string;
      display: string;
      icons: { sizes: string }[];
    }>(`fetch(document.querySelector('link[rel=manifest]').href).then((r) => r.json())`);
    assert.equal(manifest.display, 'standalone');
    assert.ok(manifest.icons.some((icon) => icon.sizes === '512x512'));
    assert.ok(manifest.icons.some((icon) => icon.sizes === '192x192'));
    const scope = await page.evaluate<string>(`navigator.serviceWorker.ready.then((r) => r.scope)`);
    assert.equal(scope, `${server.url}/`);
    // Controlled from the next navigation on.
    await page.reload();
    await page.waitForFunction(`navigator.serviceWorker.controller !== null`);
    await browser.context.setOffline(true);
    try {
      await page.goto(`${server.url}/browse?sort=year`);
      await page.getByRole('heading', { name: 'You are offline' }).waitFor();
      await check('offline');
    } finally {
      await browser.context.setOffline(false);
    }
  });

  it("forgets the pages it kept when someone signs in or out: a shared device's next user sees none offline", async () => {
    const own = await browser.newPage();
    const kept = () =>
      own.evaluate<string[]>(
        `caches.open('sv-site-v3-pages').then((c) => c.keys()).then((keys) => keys.map((k) => new URL(k.url).pathname))`,
      );
    try {
      await own.goto(`${server.url}/`);
      await own.evaluate(`navigator.serviceWorker.ready.then(() => true)`);
      await own.reload();
      await own.waitForFunction(`navigator.serviceWorker.controller !== null`);
      const { url } = await server.app.get(MagicLinkService).create({ username: 'viewer' }, 'test');
      await own.goto(url);
      await own.waitForURL(`${server.url}/`);
      await own.goto(`${server.url}/browse`);
      await own.goto(`${server.url}/account`);
      await own.locator('#sessions tr').first().waitFor();
      const whileSignedIn = await eventually(kept, (paths) => paths.includes('/browse'), {
        what: 'the browse page kept for offline use',
      });
      assert.ok(!whileSignedIn.includes('/account'), 'the account page (who is signed in) is never kept');

      await own.getByRole('button', { name: 'Sign out', exact: true }).click();
      await own.getByRole('heading', { name: 'Sign in', level: 1 }).waitFor();
      await eventually(kept, (paths) => paths.length === 0, { what: 'the kept pages dropped at sign-out' });
      await browser.context.setOffline(true);
      try {
        await own.goto(`${server.url}/browse`);
        await own.getByRole('heading', { name: 'You are offline' }).waitFor();
        await own.goto(`${server.url}/account`).catch(() => undefined);
        assert.equal(await own.getByText('Signed in as').count(), 0);
      } finally {
        await browser.context.setOffline(false);
      }
    } finally {
      await own.close();
    }
  });

  it("forgets the pages it kept when the account page's script signs in, or signs this browser out", async () => {
    const own = await browser.newPage();
    const kept = () =>
      own.evaluate<string[]>(
        `caches.open('sv-site-v3-pages').then((c) => c.keys()).then((keys) => keys.map((k) => new URL(k.url).pathname))`,
      );
    const browseKept = () =>
      eventually(kept, (paths) => paths.includes('/browse'), {
        what: 'the browse page kept for offline use',
      });
    try {
      await own.goto(`${server.url}/`);
      await own.evaluate(`navigator.serviceWorker.ready.then(() => true)`);
      await own.reload();
      await own.waitForFunction(`navigator.serviceWorker.controller !== null`);
      await own.goto(`${server.url}/browse`);
      await browseKept();

      // The script's sign-in (POST /api/auth/login), not the form's own post.
      await own.goto(`${server.url}/account`);
      await own.waitForLoadState('load');
      await own.locator('#username').fill('viewer');
      await own.locator('#password').fill('viewer-password-1');
      const login = own.waitForRequest((request) => new URL(request.url()).pathname === '/api/auth/login');
      await own.getByRole('button', { name: 'Sign in', exact: true }).click();
      await login;
      await own.getByText('Signed in as').first().waitFor();
      await eventually(kept, (paths) => paths.length === 0, { what: 'the kept pages dropped at sign-in' });

      // "Sign out this browser": DELETE /api/auth/sessions/:id.
      await own.goto(`${server.url}/browse`);
      await browseKept();
      await own.goto(`${server.url}/account`);
      await own.getByRole('button', { name: 'Sign out this browser' }).click();
      await own.getByRole('heading', { name: 'Sign in', level: 1 }).waitFor();
      await eventually(kept, (paths) => paths.length === 0, { what: 'the kept pages dropped at sign-out' });
    } finally {
      await own.close();
    }
  });

  it('has no horizontal scroll at 390 px, no serious accessibility findings, and loads nothing from elsewhere', () => {
    audit.assertClean();
  });
});
