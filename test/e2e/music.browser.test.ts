import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Page } from 'playwright-core';
import { SESSION_COOKIE } from '../../src/auth/auth-cookie.js';
import {
  screenshotBothSizes,
  SITE_SCREENSHOT_DIR,
  startBrowser,
  type TestBrowser,
} from '../support/browser.js';
import { startTestDatabase, type TestDatabase } from '../support/database.js';
import { eventually } from '../support/eventually.js';
import { freePort } from '../support/free-port.js';
import { type InProcessApp, signInAdmin, startInProcessApp } from '../support/in-process-app.js';
import { albumPackEntries } from '../support/music.js';
import { ingestLink, startLinkServer } from '../support/link-server.js';
import { makeZip } from '../support/zip.js';

describe('web music player in headless Chromium', () => {
  let db: TestDatabase;
  let server: InProcessApp;
  let files: Awaited<ReturnType<typeof startLinkServer>>;
  let browser: TestBrowser;
  let page: Page;

  before(async () => {
    db = await startTestDatabase();
    files = await startLinkServer();
    const port = await freePort();
    server = await startInProcessApp({
      MONGODB_URI: db.uri,
      ROLE: 'all',
      PORT: String(port),
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      INGEST_ALLOW_HOSTS: `127.0.0.1:${files.port}`,
    });
    const admin = await signInAdmin(server);
    const task = await ingestLink(admin, files.url('pack.zip', makeZip(await albumPackEntries())), {
      timeoutMs: 120000,
      intervalMs: 250,
    });
    assert.equal(task.state, 'done', String(task.error));
    browser = await startBrowser(server.url);
    await browser.context.addCookies([
      { name: SESSION_COOKIE, value: admin.cookie(SESSION_COOKIE)!, url: server.url },
    ]);
    page = await browser.newPage();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    await files?.close();
    await db?.stop();
  });

  const player = () =>
    page.evaluate<{
      time: number;
      paused: boolean;
      title: string;
      queue: string[];
      current: number;
    }>(`(() => {
      const a = document.getElementById('audio');
      const items = [...document.querySelectorAll('#queue li')];
      return { time: a.currentTime, paused: a.paused, title: document.getElementById('now-title').textContent,
        queue: items.map((li) => li.textContent), current: items.findIndex((li) => li.getAttribute('aria-current') === 'true') };
    })()`);
  /** Polls the player (page.waitForFunction would evaluate a string, which the site's CSP forbids). */
  const waitFor = (what: string, test: (state: Awaited<ReturnType<typeof player>>) => boolean) =>
    eventually(player, test, { timeoutMs: 15_000, intervalMs: 100, what });
  const waitPlaying = (title: string) =>
    waitFor(`${title} playing`, (state) => state.title === title && !state.paused && state.time > 0.2);

  it('lists albums, opens one, plays it in order with next, pause, seek and previous', async () => {
    // A manager reads what was just filed within a second or so: reload until the album is listed.
    await eventually(
      async () => {
        await page.goto(`${server.url}/music`);
        await page.locator('#music-browse > *').first().waitFor();
        return page.locator('.card', { hasText: 'Northern Lights' }).count();
      },
      (count) => count === 1,
      { timeoutMs: 15_000, intervalMs: 300, what: 'the album listed' },
    );
    assert.deepEqual(await page.locator('.card .name').allTextContents(), ['Northern Lights', 'Summer Hits']);
    assert.equal(
      await screenshotBothSizes(page, 'music-albums', SITE_SCREENSHOT_DIR),
      0,
      'no sideways scroll on a phone',
    );

    await page.locator('.card', { hasText: 'Northern Lights' }).click();
    await page.getByRole('button', { name: 'Play album' }).click();
    await waitPlaying('Aurora');
    const playing = await player();
    assert.deepEqual(playing.queue, [
      'Aurora — Lumen Quartet',
      'Polar Night — Lumen Quartet',
      'Borealis — Lumen Quartet',
      'Untagged Song — Lumen Quartet',
    ]);
    assert.equal(playing.current, 0);

    await page.getByRole('button', { name: 'Next track' }).click();
    await waitPlaying('Polar Night');
    assert.equal((await player()).current, 1);

    await page.getByRole('button', { name: 'Pause' }).click();
    await waitFor('paused', (state) => state.paused);
    await page.evaluate(
      `(() => { const s = document.getElementById('seek'); s.value = '2'; s.dispatchEvent(new Event('input')); })()`,
    );
    const seeked = await player();
    assert.ok(Math.abs(seeked.time - 2) < 0.3, `seeked to 2 s (${seeked.time})`);
    assert.equal(seeked.paused, true);

    await page.keyboard.press('Space');
    await waitFor('playing again', (state) => !state.paused);
    await page.getByRole('button', { name: 'Previous track' }).click(); // past 3 s? no: back to the track before
    await waitPlaying('Aurora');
    assert.equal(await screenshotBothSizes(page, 'music-album-playing', SITE_SCREENSHOT_DIR), 0);
  });

  it('plays on through the queue when a track ends, and repeats one track when asked', async () => {
    await page.getByRole('button', { name: 'Repeat: off' }).click(); // all
    await page.getByRole('button', { name: 'Repeat: all' }).click(); // one
    await page.evaluate(
      `(() => { const a = document.getElementById('audio'); a.currentTime = a.duration - 0.3; })()`,
    );
    await waitFor('the same track from its start', (state) => state.time < 1 && !state.paused);
    assert.equal((await player()).title, 'Aurora', 'repeat one plays the same track again');
    await page.getByRole('button', { name: 'Repeat: one' }).click(); // off
    // Gapless where the browser allows: the next track is already loading in the waiting element.
    const waiting = () =>
      page.evaluate<{ src: string; ready: number; playing: string }>(`(() => {
        const next = document.getElementById('audio-next');
        return { src: next.src, ready: next.readyState, playing: document.getElementById('audio').src };
      })()`);
    const loaded = await eventually(waiting, (w) => w.ready >= 1, {
      timeoutMs: 15_000,
      what: 'the next track preloaded',
    });
    assert.match(loaded.src, /\/stream\//);
    assert.notEqual(loaded.src, loaded.playing);
    await page.evaluate(`document.getElementById('audio-next').dataset.mark = 'preloaded'`);
    await page.evaluate(
      `(() => { const a = document.getElementById('audio'); a.currentTime = a.duration - 0.3; })()`,
    );
    await waitPlaying('Polar Night');
    assert.equal(
      await page.evaluate(`document.getElementById('audio').dataset.mark ?? ''`),
      'preloaded',
      'the element that preloaded it plays it: nothing fetched or decoded anew at the change',
    );
    assert.equal(await page.evaluate(`document.getElementById('audio').src`), loaded.src);
  });

  it('keeps the music API for accounts', async () => {
    const res = await fetch(`${server.url}/api/music/albums`);
    assert.equal(res.status, 401);
    assert.deepEqual(Object.keys((await res.json()) as object).sort(), ['error', 'message']);
  });
});
