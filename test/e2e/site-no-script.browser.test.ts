import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Page } from 'playwright-core';
import { MagicLinkService } from '../../src/auth/magic-link.service.js';
import { UserService } from '../../src/auth/user.service.js';
import { LibraryService } from '../../src/library/library.service.js';
import { startBrowser, type TestBrowser } from '../support/browser.js';
import { startTestDatabase, type TestDatabase } from '../support/database.js';
import { type InProcessApp } from '../support/in-process-app.js';
import { startSiteApp } from '../support/site-app.js';
import { createMediaFile } from '../support/library-fixtures.js';

/** The account page as plain HTML: Chromium with JavaScript turned off. */
describe('the site without JavaScript: sign-in, comments', () => {
  let db: TestDatabase;
  let server: InProcessApp;
  let browser: TestBrowser;
  let page: Page;
  let fileId: string;
  let movieId: string;
  let episodeFile: string;

  before(async () => {
    db = await startTestDatabase();
    server = await startSiteApp({ MONGODB_URI: db.uri });
    const library = server.app.get(LibraryService);
    const movie = await library.upsertSkeleton({ kind: 'movie', name: 'Quiet Harbour', year: 2011 });
    const file = await createMediaFile(server.app, 'Quiet.Harbour.2011.mkv');
    await library.attachFiles(movie._id, [{ fileId: file, placement: {} }]);
    fileId = String(file);
    movieId = String(movie._id);
    const show = await library.upsertSkeleton({ kind: 'series', name: 'Quiet Coast', year: 2012 });
    const episode = await createMediaFile(server.app, 'Quiet.Coast.S01E01.mkv');
    await library.attachFiles(show._id, [{ fileId: episode, placement: { season: 1, episodes: [1] } }]);
    episodeFile = String(episode);
    const users = server.app.get(UserService);
    await users.create({ username: 'plain', password: 'plain-password-1', role: 'viewer' });
    await users.create({ username: 'linked', password: 'linked-password-1', role: 'viewer' });
    await users.create({ username: 'keeper', password: 'keeper-password-1', role: 'admin' });
    browser = await startBrowser(server.url, { javaScript: false });
    page = await browser.newPage();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    await db?.stop();
  });

  /** A request with the browser's cookies, i.e. as the identity the browser currently has. */
  const asBrowser = async (path: string, init: RequestInit = {}) => {
    const cookies = await browser.context.cookies(server.url);
    const cookie = cookies.map((c) => `${c.name}=${c.value}`).join('; ');
    return server.request(path, {
      ...init,
      headers: { ...init.headers, cookie, accept: 'application/json' },
    });
  };
  const watch = async (position: number) => {
    const res = await asBrowser(`/api/progress/${fileId}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ position, duration: 100 }),
    });
    assert.equal(res.status, 200);
  };
  const continueWatching = async () =>
    (await (await asBrowser('/api/progress/continue')).json()) as { fileId: string; position: number }[];

  it('a wrong password shows the form again with the reason; the right one signs in and keeps guest progress', async () => {
    await page.goto(`${server.url}/account`);
    await watch(42);
    await page.getByRole('textbox', { name: 'Username' }).fill('plain');
    await page.getByLabel('Password').fill('not-the-password');
    const refused = page.waitForResponse((res) => res.url().endsWith('/account/sign-in'));
    await page.getByRole('button', { name: 'Sign in' }).click();
    assert.equal((await refused).status(), 401);
    assert.equal(await page.locator('#sign-in-error').textContent(), 'Wrong username or password.');
    assert.equal(
      await page.getByRole('textbox', { name: 'Username' }).inputValue(),
      'plain',
      'the username is kept',
    );

    await page.getByLabel('Password').fill('plain-password-1');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Signed in as plain' }).waitFor();
    assert.equal(new URL(page.url()).pathname, '/account');
    assert.deepEqual(
      (await continueWatching()).map((item) => [item.fileId, item.position]),
      [[fileId, 42]],
      "the guest's progress moved to the account",
    );

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in', level: 1 }).waitFor();
    const me = await asBrowser('/api/auth/me');
    assert.notEqual(((await me.json()) as { kind?: string }).kind, 'user', 'signed out');
  });

  it('a form posted from elsewhere (no CSRF token, or a forged one) is refused with 403', async () => {
    const forms: Record<string, string>[] = [
      { username: 'plain', password: 'plain-password-1' },
      { username: 'plain', password: 'plain-password-1', _csrf: 'forged' },
    ];
    for (const form of forms) {
      const res = await fetch(`${server.url}/account/sign-in`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: new URLSearchParams(form).toString(),
        redirect: 'manual',
      });
      assert.equal(res.status, 403);
      assert.equal(((await res.json()) as { error: string }).error, 'csrf_rejected');
    }
  });

  it('a magic link signs in and lands on the home page, keeping guest progress', async () => {
    await browser.context.clearCookies();
    await page.goto(`${server.url}/account`);
    await watch(17);
    const { url } = await server.app.get(MagicLinkService).create({ username: 'linked' }, 'test');
    await page.goto(url);
    assert.equal(new URL(page.url()).pathname, '/');
    await page.goto(`${server.url}/account`);
    await page.getByRole('heading', { name: 'Signed in as linked' }).waitFor();
    assert.deepEqual(
      (await continueWatching()).map((item) => [item.fileId, item.position]),
      [[fileId, 17]],
    );
    // Used once: the same link again is the site's error page saying so, not a sign-in.
    await browser.context.clearCookies();
    const again = await page.goto(url);
    assert.equal(again?.status(), 401);
    assert.match((await page.locator('main').textContent()) ?? '', /invalid, expired or already used/);
    await page.goto(`${server.url}/account`);
    await page.getByRole('heading', { name: 'Sign in', level: 1 }).waitFor();
  });

  it('comments are posted on title and episode pages, shown as text, and deleted by an admin', async () => {
    await browser.context.clearCookies();
    const hostile = '<b>bold</b> & "quoted"';
    for (const path of [`/title/${movieId}`, `/play/${episodeFile}`]) {
      await page.goto(`${server.url}${path}`);
      await page.getByLabel('Your comment').fill(`${path} ${hostile}`);
      await page.getByRole('button', { name: 'Post comment' }).click();
      await page.waitForURL(`${server.url}${path}#comments-heading`);
      assert.equal(await page.locator('.comment p').first().textContent(), `${path} ${hostile}`);
      assert.equal(await page.locator('.comments b').count(), 0);
    }
    // Empty: refused with the reason, in the site's style.
    await page.goto(`${server.url}/title/${movieId}`);
    await page.getByLabel('Your comment').fill('   ');
    const refused = page.waitForResponse((res) => res.url().endsWith('/comments'));
    await page.getByRole('button', { name: 'Post comment' }).click();
    assert.equal((await refused).status(), 400);
    assert.match((await page.locator('main').textContent()) ?? '', /A comment cannot be empty/);

    await page.goto(`${server.url}/account`);
    await page.getByRole('textbox', { name: 'Username' }).fill('keeper');
    await page.getByLabel('Password').fill('keeper-password-1');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Signed in as keeper' }).waitFor();
    for (const path of [`/title/${movieId}`, `/play/${episodeFile}`]) {
      await page.goto(`${server.url}${path}`);
      await page.getByRole('button', { name: 'Delete comment by Guest' }).click();
      await page.waitForURL(`${server.url}${path}#comments-heading`);
      assert.equal(await page.locator('.comment').count(), 0, `${path}: deleted`);
    }
    await page.goto(`${server.url}/account`);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in', level: 1 }).waitFor();
  });

  it('a comment form posted from elsewhere is refused with 403', async () => {
    const res = await fetch(`${server.url}/title/${movieId}/comments`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams({ body: 'forged' }).toString(),
    });
    assert.equal(res.status, 401, 'no identity: refused before anything else');
    const cookie = (await browser.context.cookies(server.url)).map((c) => `${c.name}=${c.value}`).join('; ');
    const forged = await fetch(`${server.url}/title/${movieId}/comments`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
        cookie,
      },
      body: new URLSearchParams({ body: 'forged', _csrf: 'made-up' }).toString(),
    });
    assert.equal(forged.status, 403);
    assert.equal(((await forged.json()) as { error: string }).error, 'csrf_rejected');
  });

  it("while the database is down, a page is the site's 5xx page, not a stack or JSON", async () => {
    await db.kill();
    try {
      const res = await page.goto(`${server.url}/title/0123456789abcdef01234567`);
      assert.equal(res?.status(), 503);
      await page.getByRole('heading', { name: 'Something went wrong on our side', level: 1 }).waitFor();
      assert.match((await page.locator('main').textContent()) ?? '', /Please try again in a moment/);
      assert.equal(await page.getByRole('link', { name: 'Browse titles' }).count(), 1);
    } finally {
      await db.restart();
    }
  });
});
