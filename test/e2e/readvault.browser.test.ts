import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type Page } from 'playwright-core';
import { comicInfo, pageImage } from '../support/comics.js';
import { ingestLink, type LinkServer, startLinkServer } from '../support/link-server.js';
import { PHONE, startBrowser, type TestBrowser } from '../support/browser.js';
import { PageAudit } from '../support/page-audit.js';
import { startTestDatabase, type TestDatabase } from '../support/database.js';
import { eventually } from '../support/eventually.js';
import { type InProcessApp, signInAdmin, startInProcessApp } from '../support/in-process-app.js';
import { PROJECT_ROOT } from '../support/paths.js';
import { makeZip } from '../support/zip.js';

const SCREENSHOTS = join(PROJECT_ROOT, 'test-output', 'readvault');
const SERIES = 'Tide Pool Diaries';

describe('ReadVault reader in headless Chromium', () => {
  let db: TestDatabase;
  let archives: LinkServer;
  let server: InProcessApp;
  let browser: TestBrowser;
  let page: Page;
  let seriesId: string;
  let chapterOne: string;
  let chapterTwo: string;
  const pageRequests: string[] = [];
  let audit: PageAudit;

  before(async () => {
    db = await startTestDatabase();
    archives = await startLinkServer();
    server = await startInProcessApp({ MONGODB_URI: db.uri, ROLE: 'all', INGEST_ALLOW_HOSTS: archives.host });
    const admin = await signInAdmin(server);
    const chapter = async (number: number, pages: number, shade: number) => {
      const entries = [
        {
          name: 'ComicInfo.xml',
          content: comicInfo({ series: SERIES, number, volume: 1, rightToLeft: true }),
        },
      ];
      for (let i = 0; i < pages; i++) {
        entries.push({
          name: `p${String(i + 1).padStart(2, '0')}.jpg`,
          content: await pageImage(800, 1200, shade + i * 9, 'jpeg'),
        });
      }
      const task = await ingestLink(admin, archives.url(`${SERIES} c00${number}.cbz`, makeZip(entries)));
      assert.equal(task.state, 'done', String(task.error));
      return String(task.titleId);
    };
    seriesId = await chapter(1, 6, 10);
    assert.equal(await chapter(2, 3, 120), seriesId);
    const series = await admin.get(`/api/readvault/series/${seriesId}`);
    [chapterOne, chapterTwo] = (series.body.chapters as { id: string }[]).map((c) => c.id);

    browser = await startBrowser(server.url);
    page = await browser.newPage();
    audit = new PageAudit(page, server.url, SCREENSHOTS);
    page.on('request', (request) => {
      const url = new URL(request.url());
      if (url.pathname.includes('/pages/')) pageRequests.push(url.pathname + url.search);
    });
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    await archives?.close();
    await db?.stop();
  });

  const readerUrl = (chapterId: string) => `${server.url}/read/${encodeURIComponent(chapterId)}`;
  const status = () => page.locator('#page-status').textContent();
  const shown = () =>
    page.locator('#reader-stage img.page').evaluateAll((imgs) => imgs.map((img) => img.getAttribute('alt')));
  const waitReady = () => page.locator('#reader[data-ready="true"]').waitFor();
  // Locators and Runtime.evaluate, not waitForFunction with text: its polling evals, which the CSP forbids.
  const waitStatus = (text: string) =>
    page.locator('#page-status', { hasText: new RegExp(`^${text}$`) }).waitFor({ timeout: 10_000 });
  const inPage = (expression: string, what: string) =>
    eventually(
      () => page.evaluate<boolean>(expression),
      (holds) => holds,
      { timeoutMs: 15_000, what },
    );
  const savedPage = (chapterId: string, pageNumber: number) =>
    page.waitForResponse(
      (res) =>
        res.url().endsWith(`/api/readvault/chapters/${encodeURIComponent(chapterId)}/progress`) &&
        res.request().method() === 'PUT' &&
        res.request().postData() === JSON.stringify({ page: pageNumber }),
    );

  /** Screenshots once the pages on screen have loaded (a resized page is made on first request). */
  const check = async (name: string) => {
    await inPage(
      `[...document.querySelectorAll('#reader-stage img.page')].filter((img) => img.loading !== 'lazy').every((img) => img.complete && img.naturalWidth > 0)`,
      'pages on screen loaded',
    );
    await audit.check(name);
  };

  it('lists volumes and chapters on the title page, each linked to the reader', async () => {
    await page.goto(`${server.url}/title/${seriesId}`);
    await check('title');
    assert.equal(await page.locator('#chapters-heading').textContent(), 'Chapters (2)');
    assert.equal(await page.locator('.chapters a').count(), 2);
    // No artwork yet: the first chapter's first page stands for the series.
    assert.equal(
      await page.locator('img.poster').getAttribute('src'),
      `/api/readvault/chapters/${encodeURIComponent(chapterOne)}/pages/1?width=480`,
    );
    await page.getByRole('link', { name: 'Ch. 1', exact: true }).click();
    await page.waitForURL(readerUrl(chapterOne));
    await waitReady();
  });

  it('reads right to left from ComicInfo, turns pages with the arrows and space, and preloads the next 3', async () => {
    assert.equal(await page.locator('#reader-direction').inputValue(), 'rtl');
    assert.equal(await status(), 'Page 1 of 6');
    // Pages 2-4 are fetched ahead; 5 and 6 are not yet.
    await inPage(
      `[2, 3, 4].every((n) => performance.getEntriesByType('resource').some((e) => e.name.includes('/pages/' + n)))`,
      'pages 2-4 preloaded',
    );
    assert.ok(!pageRequests.some((path) => /\/pages\/[56]/.test(path)), pageRequests.join(' '));
    await check('paged-rtl');

    // Right to left: the left arrow goes forward, the right arrow back.
    await page.keyboard.press('ArrowLeft');
    await waitStatus('Page 2 of 6');
    await page.keyboard.press('ArrowRight');
    await waitStatus('Page 1 of 6');
    await page.keyboard.press('Space');
    await waitStatus('Page 2 of 6');
    const saved = savedPage(chapterOne, 3);
    await page.keyboard.press('ArrowLeft');
    await waitStatus('Page 3 of 6');
    assert.deepEqual(await shown(), ['Page 3']);
    assert.equal((await saved).status(), 200);
    assert.ok(
      pageRequests.some((path) => path.includes('/pages/6')),
      'page 6 preloaded from page 3',
    );

    // Switched to left to right for this series, the right arrow goes forward.
    await page.selectOption('#reader-direction', 'ltr');
    await page.keyboard.press('ArrowRight');
    await waitStatus('Page 4 of 6');
    await page.keyboard.press('ArrowLeft');
    await waitStatus('Page 3 of 6');
    await page.selectOption('#reader-direction', 'rtl');
  });

  it('restores the page after a reload, and from "continue reading" on the home page', async () => {
    await page.reload();
    await waitReady();
    assert.equal(await status(), 'Page 3 of 6');
    assert.equal(await page.locator('#reader-note').textContent(), 'Resumed at page 3.');
    assert.deepEqual(await shown(), ['Page 3']);

    await page.goto(`${server.url}/`);
    // Chapters being read have their own row, apart from videos being watched.
    const resume = page.locator('#continue-reading a.card').first();
    await resume.waitFor();
    assert.match((await resume.textContent()) ?? '', new RegExp(`${SERIES}.*Vol. 1 · Ch. 1 · page 3 of 6`));
    assert.equal(await page.locator('#continue-reading-heading').textContent(), 'Continue reading');
    assert.equal(await page.locator('#continue').isHidden(), true);
    await check('home-continue');
    await resume.click();
    await page.waitForURL(readerUrl(chapterOne));
    await waitReady();
    assert.equal(await status(), 'Page 3 of 6');
  });

  it('shows double pages as spreads (the cover alone) and scrolls vertically in webtoon mode', async () => {
    await page.selectOption('#reader-mode', 'double');
    await waitStatus('Pages 2–3 of 6');
    assert.deepEqual(await shown(), ['Page 2', 'Page 3']);
    // Right to left: page 2 is on the right of page 3.
    const [left, right] = await page
      .locator('#reader-stage img.page')
      .evaluateAll((imgs) => imgs.map((img) => img.getBoundingClientRect().left));
    assert.ok(left > right, 'page 2 sits to the right of page 3');
    await page.keyboard.press('ArrowLeft');
    await waitStatus('Pages 4–5 of 6');
    await check('double-rtl');

    await page.selectOption('#reader-mode', 'webtoon');
    await page.locator('#reader-stage img.page').nth(5).waitFor();
    assert.equal(await page.locator('#reader-stage img.page').count(), 6);
    await check('webtoon');
    const saved = savedPage(chapterOne, 6);
    await page.locator('#reader-stage img.page').nth(5).scrollIntoViewIfNeeded();
    await page.mouse.wheel(0, 5000);
    await waitStatus('Page 6 of 6');
    assert.equal((await saved).status(), 200);
    await page.selectOption('#reader-mode', 'single');
  });

  it('goes on to the next chapter at the end, and back to the last page of the previous one', async () => {
    await page.goto(`${readerUrl(chapterOne)}?page=6`);
    await waitReady();
    assert.equal(await status(), 'Page 6 of 6');
    await page.keyboard.press('ArrowLeft');
    await page.waitForURL(readerUrl(chapterTwo));
    await waitReady();
    assert.equal(await status(), 'Page 1 of 3');
    await page.keyboard.press('ArrowRight');
    await page.waitForURL(`${readerUrl(chapterOne)}?page=last`);
    await waitReady();
    assert.equal(await status(), 'Page 6 of 6');
    // Chapter 1 was finished: the home row moved on to chapter 2.
    const continued = await page.evaluate<{ chapterId: string; position: number }[]>(
      `fetch('/api/progress/continue').then((r) => r.json())`,
    );
    assert.deepEqual(
      continued.map((item) => [item.chapterId, item.position]),
      [[chapterTwo, 1]],
    );
  });

  it('turns pages by tapping and swiping on a phone, with no horizontal scroll', async () => {
    await page.setViewportSize(PHONE);
    await page.goto(`${readerUrl(chapterOne)}?page=1`);
    await waitReady();
    const box = (await page.locator('#reader-stage').boundingBox())!;
    const y = box.y + Math.min(box.height, 500) / 2;
    // Right to left: the left third goes forward.
    await page.mouse.click(box.x + box.width * 0.15, y);
    await waitStatus('Page 2 of 6');
    await page.mouse.click(box.x + box.width * 0.85, y);
    await waitStatus('Page 1 of 6');
    // A swipe to the right (the finger moving right) uncovers the next page in right-to-left.
    const swipe = (from: number, to: number) =>
      page.evaluate(`(() => {
        const stage = document.getElementById('reader-stage');
        const touch = (x) => new Touch({ identifier: 1, target: stage, clientX: x, clientY: ${y} });
        stage.dispatchEvent(new TouchEvent('touchstart', { touches: [touch(${from})], bubbles: true }));
        stage.dispatchEvent(new TouchEvent('touchend', { changedTouches: [touch(${to})], bubbles: true }));
      })()`);
    await swipe(60, 300);
    await waitStatus('Page 2 of 6');
    await swipe(300, 60);
    await waitStatus('Page 1 of 6');
    // The middle shows and hides the controls.
    await page.mouse.click(box.x + box.width / 2, y);
    assert.equal(await page.locator('#reader-mode').isVisible(), false);
    await page.mouse.click(box.x + box.width / 2, y);
    assert.equal(await page.locator('#reader-mode').isVisible(), true);
    const overflow = await page.evaluate<number>(
      'document.documentElement.scrollWidth - document.documentElement.clientWidth',
    );
    assert.equal(overflow, 0);
    // At phone width the page is asked for at a listed width, not the original's 800 px.
    assert.ok(
      pageRequests.some((path) => /\/pages\/1\?width=480$/.test(path)),
      pageRequests.join(' '),
    );
  });

  it('has no horizontal scroll at 390 px, no serious accessibility findings, and loads nothing from elsewhere', () => {
    audit.assertClean();
  });
});
