import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Types } from 'mongoose';
import { type Page } from 'playwright-core';
import { UserService } from '../../src/auth/user.service.js';
import { LibraryService } from '../../src/library/library.service.js';
import { screenshotBothSizes, startBrowser, type TestBrowser } from '../support/browser.js';
import { startTestDatabase, type TestDatabase } from '../support/database.js';
import { eventually } from '../support/eventually.js';
import { startFixtureServer } from '../support/fixture-server.js';
import { freePort } from '../support/free-port.js';
import { startInProcessApp, type InProcessApp } from '../support/in-process-app.js';
import { testVideo } from '../support/media.js';

const XSS = '<script>alert(1)</script>';

describe('admin panel in headless Chromium', () => {
  const video = testVideo(4);
  const otherVideo = testVideo(5);
  let db: TestDatabase;
  let fixture: Awaited<ReturnType<typeof startFixtureServer>>;
  let slowFixture: Awaited<ReturnType<typeof startFixtureServer>>;
  let server: InProcessApp;
  let browser: TestBrowser;
  let page: Page;
  const cspViolations: string[] = [];
  const overflows: Record<string, number> = {};

  before(async () => {
    db = await startTestDatabase();
    fixture = await startFixtureServer({ body: video.bytes });
    // Other content than `video` (identical bytes would be reused as the same library file), served
    // slowly enough that the download spans several progress reports.
    slowFixture = await startFixtureServer({
      body: otherVideo.bytes,
      throttle: Math.ceil(otherVideo.bytes.length / 6),
    });
    const port = await freePort();
    server = await startInProcessApp(
      {
        MONGODB_URI: db.uri,
        ROLE: 'all',
        PORT: String(port),
        PUBLIC_URL: `http://127.0.0.1:${port}`,
        INGEST_ALLOW_HOSTS: [fixture, slowFixture].map((f) => `127.0.0.1:${f.port}`).join(','),
      },
      { logLevel: 'info' },
    );
    await server.app.get(UserService).bootstrapAdmin();
    browser = await startBrowser(server.url);
    page = await browser.newPage();
    page.on('console', (message) => {
      if (/Content.Security.Policy/i.test(message.text())) cspViolations.push(message.text());
    });
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    await fixture?.close();
    await slowFixture?.close();
    await db?.stop();
  });

  const shoot = async (name: string) => {
    overflows[name] = await screenshotBothSizes(page, name);
  };

  const signIn = async () => {
    await page.goto(`${server.url}/admin`);
    assert.match(page.url(), /\/admin\/login\?next=%2Fadmin$/, 'a visitor is sent to the login page');
    await page.getByLabel('Username').fill('admin');
    await page.getByLabel('Password').fill('admin-password-for-tests');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${server.url}/admin`);
  };

  it('runs a link from submission to the library, edits and prunes it, shows its logs, and signs out', async () => {
    await page.goto(`${server.url}/admin/login`);
    await shoot('login');
    await signIn();
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    // This process's heartbeat, listed with its roles.
    await page.locator('tr', { hasText: 'manager, worker, streamer' }).waitFor();
    await shoot('dashboard');

    // Submit two episodes from the tasks page; the live list must follow them without a reload.
    await page.getByRole('navigation').getByRole('link', { name: 'Tasks' }).click();
    await page.waitForURL(`${server.url}/admin/tasks`);
    await page.locator('#live-state.on').waitFor();
    await page.evaluate('window.__samePage = true');
    const submit = async (url: string, hint: string) => {
      await page.getByLabel('Link').fill(url);
      await page.getByLabel('Hint').fill(hint);
      await page.getByRole('button', { name: 'Fetch' }).click();
      await page.getByRole('status').filter({ hasText: 'Task queued.' }).waitFor();
      await page.locator('#live-state.on').waitFor();
      await page.evaluate('window.__samePage = true');
    };
    await submit(fixture.url('/Panel.Show.S01E02.mp4'), 'Panel Show S01E02');
    await submit(slowFixture.url('/Panel.Show.S01E01.mp4'), 'Panel Show S01E01');

    const slowRow = page.locator('#tasks tbody tr', { hasText: 'Panel.Show.S01E01' });
    // Progress below 100% in a downloading row, then done: both reached through SSE updates only.
    await slowRow.locator('progress').first().waitFor({ timeout: 30000 });
    const midway = await slowRow.getAttribute('data-state');
    const percent = Number(await slowRow.locator('progress').getAttribute('value'));
    assert.equal(midway, 'downloading');
    assert.ok(percent >= 0 && percent < 100, `partial progress shown (${percent}%)`);
    await shoot('tasks');
    await page.locator('#tasks tbody tr[data-state="done"]', { hasText: 'Panel.Show.S01E01' }).waitFor({
      timeout: 60000,
    });
    await page.locator('#tasks tbody tr[data-state="done"]', { hasText: 'Panel.Show.S01E02' }).waitFor({
      timeout: 60000,
    });
    assert.equal(await page.evaluate('window.__samePage'), true, 'no reload while the tasks progressed');
    const slowTaskId = String(await slowRow.getAttribute('data-task-id'));

    // The CMS finds the title; a rename is saved and locked.
    await page.getByRole('navigation').getByRole('link', { name: 'Library' }).click();
    await page.getByLabel('Search').fill('panel show');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await shoot('library');
    await page.getByRole('link', { name: 'Panel Show' }).click();
    const titleId = page.url().split('/').pop()!;
    await page.getByLabel('Name', { exact: true }).fill('Panel Show Renamed');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved and locked: name.' }).waitFor();
    assert.match(String(await page.locator('h1').textContent()), /Panel Show Renamed/);
    await shoot('title');
    await page.getByRole('button', { name: 'Re-run enrichment' }).click();
    await page.getByRole('status').filter({ hasText: 'Enrichment queued' }).waitFor();

    // The library list finds the title by its new name at once; the index can be rebuilt on request.
    await page.getByRole('navigation').getByRole('link', { name: 'Library' }).click();
    await page.getByLabel('Search').fill('renamed');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.getByRole('link', { name: 'Panel Show Renamed' }).waitFor();
    await page.getByRole('button', { name: 'Rebuild the index' }).click();
    await page.getByRole('status').filter({ hasText: 'Index rebuild queued' }).waitFor();
    await page.goto(`${server.url}/admin/library/${titleId}`);

    // Delete episode 2 (the confirmation dialog is accepted); episode 1 stays.
    await page.locator('li[data-episode="1x2"]').getByRole('button', { name: 'Delete episode' }).click();
    await page.getByRole('status').filter({ hasText: 'Deleted season 1 episode 2.' }).waitFor();
    assert.equal(await page.locator('li[data-episode="1x2"]').count(), 0);
    assert.equal(await page.locator('li[data-episode="1x1"]').count(), 1);
    const title = await server.app.get(LibraryService).requireTitle(new Types.ObjectId(titleId));
    assert.equal(title.name, 'Panel Show Renamed');
    assert.deepEqual(title.lockedFields, ['name']);
    assert.deepEqual(
      title.seasons.map((s) => [s.number, s.episodes.map((e) => e.number)]),
      [[1, [1]]],
    );
    assert.ok(
      browser.dialogs.some((d) => d.type === 'confirm' && /episode 2/.test(d.message)),
      'asked to confirm',
    );

    // The built-in player plays the remaining episode under the CSP.
    await page.locator('li[data-episode="1x1"]').getByRole('link', { name: 'Watch' }).click();
    await page.locator('video').waitFor();
    await eventually(
      () => page.evaluate<number>('document.querySelector("video").readyState'),
      (readyState) => readyState >= 1,
      { timeoutMs: 20000, what: 'the video loaded its metadata' },
    );
    await shoot('watch');

    // The live log shows the task's lines, filtered by its id.
    await page.goto(`${server.url}/admin/logs`);
    await page.getByLabel('Task id').fill(slowTaskId);
    await page.locator('#log .line', { hasText: `task ${slowTaskId} done` }).waitFor({ timeout: 15000 });
    await page.locator('#log .line', { hasText: 'submitted from the panel' }).waitFor();
    const shown = await page.locator('#log .line').allTextContents();
    assert.ok(
      shown.every((line) => line.includes(slowTaskId)),
      'the filter leaves only that task',
    );
    await page.getByRole('button', { name: 'Pause' }).click();
    assert.equal(await page.locator('#log-state').textContent(), 'paused');
    await shoot('logs');

    await page.goto(`${server.url}/admin/users`);
    await page.locator('#sessions').getByText('(this browser)').waitFor();
    await shoot('users');

    for (const [path, name, heading] of [
      ['/admin/settings', 'settings', 'Settings'],
      ['/admin/explorer', 'explorer', 'Explorer'],
      ['/admin/explorer/orphans', 'explorer-orphans', 'Orphans'],
      ['/admin/explorer/dangling', 'explorer-dangling', 'Dangling records'],
    ] as const) {
      await page.goto(`${server.url}${path}`);
      assert.equal(await page.locator('h1').textContent(), heading);
      await shoot(name);
    }

    // Sign out: the panel refuses the browser afterwards.
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.waitForURL(/\/admin\/login/);
    await page.goto(`${server.url}/admin/tasks`);
    assert.match(page.url(), /\/admin\/login\?next=%2Fadmin%2Ftasks$/);

    assert.deepEqual(cspViolations, [], 'no CSP violations on any page');
    for (const [name, overflow] of Object.entries(overflows)) {
      assert.equal(overflow, 0, `${name}: no horizontal scroll at 390 px`);
    }
  });

  it('shows a title named like a script as text, running nothing', async () => {
    const library = server.app.get(LibraryService);
    const title = await library.upsertSkeleton({ kind: 'movie', name: XSS, year: 2001 });
    await browser.context.clearCookies();
    await signIn();
    await page.goto(`${server.url}/admin/library?q=script+alert`);
    assert.equal(await page.getByRole('link', { name: XSS }).textContent(), XSS);
    await page.getByRole('link', { name: XSS }).click();
    await page.waitForURL(`${server.url}/admin/library/${String(title._id)}`);
    assert.match(String(await page.locator('h1').textContent()), /<script>alert\(1\)<\/script>/);
    assert.equal(await page.locator('main script').count(), 0, 'no script element was created');
    assert.deepEqual(
      browser.dialogs.filter((d) => d.type !== 'confirm'),
      [],
      'no alert dialog opened',
    );
  });
});
