import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { VASTClient } from '@dailymotion/vast-client';
import { type ExecutionContext } from '@nestjs/common';
import { UserService } from '../../src/auth/user.service.js';
import { type AppError } from '../../src/core/errors/app-error.js';
import { RateLimitGuard } from '../../src/core/rate-limit/rate-limit.guard.js';
import { AdsPublicController } from '../../src/franchise/ads/ads-public.controller.js';
import { AdServingTokens } from '../../src/franchise/ads/tracking/ad-serving-tokens.js';
import { AdDaysRepository } from '../../src/franchise/ads/tracking/ad-days.repository.js';
import { AdEventSource, utcDay } from '../../src/franchise/ads/tracking/ad-event.js';
import { AdStatsService } from '../../src/franchise/ads/tracking/ad-stats.service.js';
import { adSettings, storeVideo } from '../support/ads.js';
import { startTestDatabase, type TestDatabase } from '../support/database.js';
import { TestClient } from '../support/http.js';
import { type InProcessApp, signInAdmin } from '../support/in-process-app.js';
import { postPanelForm } from '../support/panel-form.js';
import { BROWSER_ACCEPT, startSiteApp } from '../support/site-app.js';

/** What the tests read of vast-client's parsed response (its typings say `any`). */
interface ParsedVast {
  version: string;
  ads: {
    title: string;
    system?: { value: string };
    impressionURLTemplates: { url: string }[];
    creatives: { type: string }[];
  }[];
}

/** The real VAST client (Node build) fetching and parsing `url`, wrappers followed. */
const parseVast = (url: string, options?: object): Promise<ParsedVast> => new VASTClient().get(url, options);

/** A local server answering each path with the XML the test gave it (VAST wrappers, broken tags). */
async function startVastServer(documents: Record<string, string | null | (() => string)>) {
  const server: Server = createServer((req, res) => {
    const document = documents[req.url ?? ''];
    if (document === undefined) {
      res.writeHead(404).end();
      return;
    }
    if (document === null) return; // never answers
    res
      .writeHead(200, { 'content-type': 'application/xml' })
      .end(typeof document === 'function' ? document() : document);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const wrapper = (target: string) => `<?xml version="1.0"?>
<VAST version="4.1"><Ad id="w"><Wrapper><AdSystem>Test</AdSystem>
<Impression>${target.replace(/&/g, '&amp;')}#wrapper-impression</Impression>
<VASTAdTagURI>${target.replace(/&/g, '&amp;')}</VASTAdTagURI></Wrapper></Ad></VAST>`;

describe('ads', () => {
  let db: TestDatabase;
  let server: InProcessApp;
  let admin: TestClient;
  let creativeId: string;
  let contentId: string;
  let vast: Awaited<ReturnType<typeof startVastServer>>;

  before(async () => {
    db = await startTestDatabase();
    server = await startSiteApp({ MONGODB_URI: db.uri });
    admin = await signInAdmin(server);
    creativeId = String((await storeVideo(server.app, 3, 'house-ad.webm'))._id);
    contentId = String((await storeVideo(server.app, 4, 'Feature.Film.2020.webm'))._id);
    await server.app
      .get(UserService)
      .create({ username: 'reader', password: 'reader-password', role: 'viewer' });
  });
  after(async () => {
    await vast?.close();
    await server?.close();
    await db?.stop();
  });

  const save = async (overrides: Record<string, unknown>) => {
    const res = await admin.request('PUT', '/api/ads/settings', { json: adSettings(overrides) });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body;
  };

  /** The player page as `client` sees it: its ad config (or none), CSP and HTML. */
  const playerPage = async (client: TestClient) => {
    const res = await client.get(`/play/${contentId}`, BROWSER_ACCEPT);
    assert.equal(res.status, 200);
    const html = String(res.body);
    const attribute = /data-ads="([^"]*)"/.exec(html)?.[1];
    const config = attribute
      ? JSON.parse(attribute.replace(/&quot;/g, '"').replace(/&#x2F;/g, '/'))
      : undefined;
    return { html, config, csp: res.headers.get('content-security-policy') ?? '' };
  };

  const guest = async () => {
    const client = new TestClient(server.url);
    await client.get('/'); // the guest cookie comes from a first visit
    return client;
  };

  it('settings: no ads until saved; admins replace them whole; GET returns what was saved', async () => {
    const empty = await admin.get('/api/ads/settings');
    assert.equal(empty.status, 200);
    assert.equal(empty.body.enabled, false);
    const saved = await save({
      vastTagUrl: '/ads/vast.xml',
      houseAd: { fileId: creativeId, clickThrough: 'https://advertiser.example.com/offer' },
      midrollOffsets: [120, 60],
      allowedHosts: ['https://ads.example.com'],
    });
    assert.deepEqual(saved.midrollOffsets, [120, 60]);
    const read = await admin.get('/api/ads/settings');
    assert.deepEqual(read.body, saved);
    assert.equal((read.body.houseAd as { fileId: string }).fileId, creativeId);
  });

  it('settings: bad input is a 400 (or 404 for an unknown creative) with {error, message}; viewers are refused', async () => {
    const bad: Record<string, unknown>[] = [
      { vastTagUrl: 'http://ads.example.com/vast.xml' },
      { vastTagUrl: 'javascript:alert(1)' },
      { vastTagUrl: 'https://user:pass@ads.example.com/vast' },
      { midrollOffsets: [-5] },
      { midrollOffsets: ['ten'] },
      { skipOffsetSeconds: 600 },
      { frequencyCapMinutes: 1.5 },
      { allowedHosts: ['http://ads.example.com'] },
      { allowedHosts: ['https://ads.example.com/path'] },
      { slots: { header: { kind: 'image' } } },
      { slots: { header: { kind: 'image', imageUrl: 'http://cdn.example.com/b.png' } } },
      { slots: { footer: { kind: 'html', html: '<b>x</b>' } } },
      { shortener: { enabled: true, urlTemplate: 'https://short.example.com/api' } },
      { shortener: { enabled: true, urlTemplate: 'http://short.example.com/api?url={url}' } },
      { houseAd: { fileId: 'nope', clickThrough: 'https://a.example.com' } },
      { vastTagUrl: '/ads/vast.xml' },
      { surprise: true },
      { enabled: 'yes' },
    ];
    for (const overrides of bad) {
      const res = await admin.request('PUT', '/api/ads/settings', { json: adSettings(overrides) });
      assert.equal(res.status, 400, JSON.stringify(overrides));
      assert.deepEqual(Object.keys(res.body).sort(), ['error', 'message'], JSON.stringify(overrides));
    }
    const unknownFile = await admin.request('PUT', '/api/ads/settings', {
      json: adSettings({
        houseAd: { fileId: '0123456789abcdef01234567', clickThrough: 'https://a.example.com' },
      }),
    });
    assert.equal(unknownFile.status, 404);
    const viewer = new TestClient(server.url);
    await viewer.login('reader', 'reader-password');
    assert.equal((await viewer.get('/api/ads/settings')).status, 403);
    assert.equal((await viewer.request('PUT', '/api/ads/settings', { json: adSettings() })).status, 403);
    assert.equal((await (await guest()).get('/api/ads/stats')).status, 401);
  });

  it('/ads/vast.xml is a VAST 4.1 document the real vast-client parses: linear house creative, skip offset, click-through, tracking', async () => {
    await save({
      vastTagUrl: '/ads/vast.xml',
      skipOffsetSeconds: 2,
      houseAd: {
        fileId: creativeId,
        clickThrough: 'https://advertiser.example.com/offer?a=1&b=2',
        title: 'Spring <sale>',
      },
    });
    const res = await server.request('/ads/vast.xml');
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /application\/xml/);
    const response = await parseVast(`${server.url}/ads/vast.xml`);
    assert.equal(response.version, '4.1');
    assert.equal(response.ads.length, 1);
    const [ad] = response.ads;
    assert.equal(ad.title, 'Spring <sale>');
    assert.equal(ad.system?.value, 'StreamVault');
    assert.match(ad.impressionURLTemplates[0].url, /\/ads\/track\/impression\?source=house&token=[\w.-]+$/);
    const linear = ad.creatives.find((creative) => creative.type === 'linear') as unknown as {
      duration: number;
      skipDelay: number;
      videoClickThroughURLTemplate: { url: string };
      trackingEvents: Record<string, string[]>;
      mediaFiles: { fileURL: string; mimeType: string; width: number; height: number }[];
    };
    assert.equal(linear.duration, 3);
    assert.equal(linear.skipDelay, 2);
    assert.equal(linear.videoClickThroughURLTemplate.url, 'https://advertiser.example.com/offer?a=1&b=2');
    for (const event of ['start', 'firstQuartile', 'midpoint', 'thirdQuartile', 'complete', 'skip'])
      assert.match(
        linear.trackingEvents[event][0],
        new RegExp(`/ads/track/${event}\\?source=house&token=[\\w.-]+$`),
      );
    const [media] = linear.mediaFiles;
    assert.deepEqual([media.mimeType, media.width, media.height], ['video/webm', 160, 120]);
    // The creative's URL is a signed stream link that plays.
    const bytes = await fetch(media.fileURL, { headers: { range: 'bytes=0-3' } });
    assert.equal(bytes.status, 206);
    assert.deepEqual([...new Uint8Array(await bytes.arrayBuffer())], [0x1a, 0x45, 0xdf, 0xa3]);
  });

  it('vast-client follows a wrapper to the house ad, and gives no ad (never a hang) for empty, malformed, looping and missing tags', async () => {
    const own = `${server.url}/ads/vast.xml`;
    let loopUrl = '';
    vast = await startVastServer({
      '/wrapper.xml': () => wrapper(own),
      '/empty.xml': '',
      '/malformed.xml': '<VAST version="4.1"><Ad><InLine>',
      '/loop.xml': () => wrapper(loopUrl),
    });
    loopUrl = `${vast.url}/loop.xml`;
    const wrapped = await parseVast(`${vast.url}/wrapper.xml`, { wrapperLimit: 5 });
    assert.equal(wrapped.ads.length, 1);
    const urls = wrapped.ads[0].impressionURLTemplates.map((template) => template.url);
    assert.ok(
      urls.some((url) => url.endsWith('#wrapper-impression')),
      'the wrapper impression is kept',
    );
    assert.ok(urls.some((url) => url.includes('/ads/track/impression')));
    for (const path of ['/empty.xml', '/malformed.xml', '/loop.xml', '/missing.xml']) {
      const outcome = await parseVast(`${vast.url}${path}`, { wrapperLimit: 5, timeout: 3000 })
        .then((response) => response.ads.filter((ad) => ad.creatives.length > 0).length)
        .catch(() => 0);
      assert.equal(outcome, 0, path);
    }
  });

  it('an owner without ads enabled, or without a house ad, serves an empty VAST (no ad)', async () => {
    await save({
      enabled: false,
      vastTagUrl: '/ads/vast.xml',
      houseAd: { fileId: creativeId, clickThrough: 'https://a.example.com' },
    });
    assert.deepEqual((await parseVast(`${server.url}/ads/vast.xml`)).ads, []);
    await save({ vastTagUrl: 'https://ads.example.com/tag' });
    assert.deepEqual((await parseVast(`${server.url}/ads/vast.xml`)).ads, []);
  });

  /** The house VAST as the real vast-client reads it: its impression and linear tracking URLs. */
  const servedHouseAd = async () => {
    const [ad] = (await parseVast(`${server.url}/ads/vast.xml`)).ads;
    assert.ok(ad, 'a house ad is served');
    const linear = ad.creatives.find((creative) => creative.type === 'linear') as unknown as {
      trackingEvents: Record<string, string[]>;
      videoClickTrackingURLTemplates: { url: string }[];
    };
    return {
      impression: ad.impressionURLTemplates[0].url,
      tracking: linear.trackingEvents,
      click: linear.videoClickTrackingURLTemplates[0].url,
    };
  };
  const totals = async () => (await admin.get('/api/ads/stats')).body.totals as Record<string, number>;
  const added = (before: Record<string, number>, after: Record<string, number>) =>
    Object.fromEntries(
      Object.entries(after)
        .map(([field, value]) => [field, value - (before[field] ?? 0)])
        .filter(([, value]) => value !== 0),
    );
  const refusal = async (res: Response) => [res.status, ((await res.json()) as { error: string }).error];

  it("tracking: the real vast-client's beacons of a served house ad count, each event once however often replayed", async () => {
    await save({
      vastTagUrl: '/ads/vast.xml',
      houseAd: { fileId: creativeId, clickThrough: 'https://a.example.com' },
    });
    const before = await totals();
    const served = await servedHouseAd();
    assert.match(served.impression, /\/ads\/track\/impression\?source=house&token=house\.[\w.-]+$/);
    const beacons = [served.impression, served.tracking.start[0], served.tracking.complete[0], served.click];
    for (const url of beacons) assert.equal((await fetch(url)).status, 204, url);
    // The same URLs again, 20 at once each (a replaying script): answered, not counted.
    const replays = await Promise.all(beacons.flatMap((url) => Array.from({ length: 20 }, () => fetch(url))));
    assert.ok(replays.every((res) => res.status === 204));
    assert.deepEqual(added(before, await totals()), {
      'house:impression': 1,
      'house:start': 1,
      'house:complete': 1,
      'house:click': 1,
    });
  });

  it('tracking counts every served ad exactly (30 servings at once), per day, and the stats survive the copy to Mongo', async () => {
    await save({
      vastTagUrl: '/ads/vast.xml',
      houseAd: { fileId: creativeId, clickThrough: 'https://a.example.com' },
      midrollOffsets: [30, 60],
    });
    const before = await totals();
    const servings = await Promise.all(Array.from({ length: 30 }, () => servedHouseAd()));
    const pixels = await Promise.all(servings.map((served) => fetch(served.impression)));
    assert.ok(pixels.every((res) => res.status === 204));
    // One player page: its token covers its three breaks, each counted once per event.
    const { config } = await playerPage(await guest());
    const token = encodeURIComponent(String(config?.trackToken));
    for (const query of ['break=pre&ad=0', 'break=mid&ad=1', 'break=mid&ad=2', 'break=mid&ad=2'])
      assert.equal(
        (await server.request(`/ads/track/impression?${query}&token=${token}`, { method: 'POST' })).status,
        204,
      );
    assert.equal((await server.request(`/ads/track/click?token=${token}`, { method: 'POST' })).status, 204);
    for (const bad of [
      `/ads/track/explode?token=${token}`,
      `/ads/track/impression?source=elsewhere&token=${token}`,
      `/ads/track/impression?x=1&token=${token}`,
      `/ads/track/impression?ad=-1&token=${token}`,
      `/ads/track/impression?ad=one&token=${token}`,
      '/ads/track/impression',
    ]) {
      const res = await server.request(bad, { method: 'POST' });
      assert.equal(res.status, 400, bad);
      assert.deepEqual(Object.keys((await res.json()) as object).sort(), ['error', 'message']);
    }
    assert.deepEqual(added(before, await totals()), { 'house:impression': 30, impression: 3, click: 1 });
    const stats = (await admin.get('/api/ads/stats')).body as unknown as {
      to: string;
      days: unknown[];
      totals: Record<string, number>;
    };
    const today = utcDay(new Date());
    assert.equal(stats.to, today);
    assert.equal(stats.days.length, 30);

    assert.ok((await server.app.get(AdStatsService).flush()) >= 1);
    const [copy] = await server.app.get(AdDaysRepository).find('default', [today]);
    assert.equal(copy.counts.impression, stats.totals.impression);
    // Days Redis no longer holds come from their Mongo copy.
    const longAgo = utcDay(new Date(Date.now() - 20 * 86_400_000));
    await server.app.get(AdDaysRepository).save('default', longAgo, { impression: 7, 'house:click': 2 });
    const archived = await admin.get(`/api/ads/stats?from=${longAgo}&to=${longAgo}`);
    assert.deepEqual(archived.body.days, [{ day: longAgo, counts: { impression: 7, 'house:click': 2 } }]);

    for (const query of [
      '?from=2026-13-01',
      '?from=2026-12-05&to=2026-12-01',
      '?from=2020-01-01&to=2026-01-01',
      '?from=x',
      // Without `from`, the default is computed from `to`: a bad `to` is still a 400, never a 500.
      '?to=2026-13-01',
      '?to=2026-00-10',
      '?to=2026-02-30',
      '?to=0000-01-05',
    ]) {
      const res = await admin.get(`/api/ads/stats${query}`);
      assert.equal(res.status, 400, query);
      assert.deepEqual(Object.keys(res.body).sort(), ['error', 'message']);
    }
  });

  it('tracking refuses forged, expired, mismatched and out-of-range tokens (4xx {error, message}), and counts no house events without a house ad', async () => {
    await save({
      vastTagUrl: '/ads/vast.xml',
      houseAd: { fileId: creativeId, clickThrough: 'https://a.example.com' },
    });
    const before = await totals();
    const served = await servedHouseAd();
    const houseToken = new URL(served.impression).searchParams.get('token') ?? '';
    const { config } = await playerPage(await guest());
    const playerToken = String(config?.trackToken);
    const tokens = server.app.get(AdServingTokens);
    const forged = `${houseToken.slice(0, -1)}${houseToken.endsWith('A') ? 'B' : 'A'}`;
    const renamed = houseToken.replace(/^house\./, 'player.');
    const expired = tokens.issue('default', AdEventSource.House, 1, -1000).token;
    const track = (event: string, query: string, token: string) =>
      server.request(`/ads/track/${event}?${query}token=${encodeURIComponent(token)}`);
    for (const [what, res, expected] of [
      ['forged', await track('impression', 'source=house&', forged), [403, 'bad_token']],
      ['another serving', await track('impression', '', renamed), [403, 'bad_token']],
      ['made up', await track('impression', 'source=house&', 'house.abc'), [403, 'bad_token']],
      ['expired', await track('impression', 'source=house&', expired), [410, 'token_expired']],
      [
        'a player token as house',
        await track('impression', 'source=house&', playerToken),
        [403, 'bad_token'],
      ],
      ['a house token as player', await track('impression', '', houseToken), [403, 'bad_token']],
      [
        'a second ad of a VAST',
        await track('impression', 'source=house&ad=1&', houseToken),
        [403, 'bad_token'],
      ],
    ] as const)
      assert.deepEqual(await refusal(res), expected, what);

    // The house ad removed since it was served: its beacons are answered, not counted.
    await save({ vastTagUrl: 'https://ads.example.com/tag' });
    assert.equal((await fetch(served.tracking.start[0])).status, 204);
    assert.deepEqual(added(before, await totals()), {});
  });

  it('tracking is limited per client address too: fresh guest identities from one address share its bucket', async () => {
    const guard = server.app.get(RateLimitGuard);
    const address = `2001:db8::${randomBytes(4).toString('hex')}`; // its own bucket on every run
    const handler = AdsPublicController.prototype.pixel;
    const hit = (identityId: string) =>
      guard
        .canActivate({
          getHandler: () => handler,
          getClass: () => AdsPublicController,
          switchToHttp: () => ({
            getRequest: () => ({ ip: address, identity: { id: identityId, kind: 'guest' } }),
            getResponse: () => ({ setHeader: () => undefined }),
          }),
        } as unknown as ExecutionContext)
        .then(
          () => 'allowed',
          (error: AppError) => error.getStatus(),
        );
    // A new guest cookie per request: 1200 a minute from the address, then 429.
    const outcomes = [];
    for (let i = 0; i < 1200; i++) outcomes.push(await hit(`guest-${i}`));
    assert.ok(outcomes.every((outcome) => outcome === 'allowed'));
    assert.equal(await hit('guest-fresh'), 429);
  });

  it('the player page carries the ad config; admins and ad-free accounts get no ads; the frequency cap holds the pre-roll back', async () => {
    await save({
      vastTagUrl: '/ads/vast.xml',
      houseAd: { fileId: creativeId, clickThrough: 'https://a.example.com' },
      midrollOffsets: [30],
      frequencyCapMinutes: 30,
    });
    const visitor = await guest();
    const seen = await playerPage(visitor);
    assert.deepEqual(
      [seen.config?.vastTagUrl, seen.config?.preroll, seen.config?.midrolls],
      ['/ads/vast.xml', true, [30]],
    );
    assert.match(seen.html, /src="\/assets\/site\/player-ads.js"/);
    assert.equal((await playerPage(admin)).config, undefined);
    assert.doesNotMatch((await playerPage(admin)).html, /player-ads\.js/);

    // A pre-roll's impression starts the cap; mid-rolls stay.
    const token = encodeURIComponent(String(seen.config?.trackToken));
    assert.equal(
      (await visitor.request('POST', `/ads/track/impression?break=pre&token=${token}`)).status,
      204,
    );
    const capped = await playerPage(visitor);
    assert.deepEqual([capped.config?.preroll, capped.config?.midrolls], [false, [30]]);
    assert.equal((await playerPage(await guest())).config?.preroll, true);

    const reader = new TestClient(server.url);
    await reader.login('reader', 'reader-password');
    assert.equal((await playerPage(reader)).config?.preroll, true);
    const accounts = (await admin.get('/api/ads/accounts')).body as unknown as {
      id: string;
      username: string;
      adFree: boolean;
    }[];
    const account = accounts.find((row) => row.username === 'reader');
    assert.ok(account && !account.adFree);
    assert.ok(!accounts.some((row) => row.username === 'admin'), 'admins are not listed: they never see ads');
    const marked = await admin.request('PUT', `/api/ads/accounts/${account.id}/ad-free`, {
      json: { adFree: true },
    });
    assert.equal(marked.status, 200);
    assert.equal(marked.body.adFree, true);
    assert.equal((await playerPage(reader)).config, undefined);
    assert.equal(
      (
        await admin.request('PUT', '/api/ads/accounts/0123456789abcdef01234567/ad-free', {
          json: { adFree: true },
        })
      ).status,
      404,
    );
    assert.equal(
      (await admin.request('PUT', '/api/ads/accounts/nope/ad-free', { json: { adFree: true } })).status,
      400,
    );
    assert.equal(
      (await admin.request('PUT', `/api/ads/accounts/${account.id}/ad-free`, { json: { adFree: 'yes' } }))
        .status,
      400,
    );
    await admin.request('PUT', `/api/ads/accounts/${account.id}/ad-free`, { json: { adFree: false } });
    assert.equal((await playerPage(reader)).config?.preroll, true);
  });

  it("display slots render in the site's pages with the page's nonce, and the CSP widens for exactly the owner's ad origins", async () => {
    await save({
      slots: {
        header: {
          kind: 'html',
          html: '<script src="https://net.example.com/banner.js" async></script><div id="net-banner"></div>',
        },
        underPlayer: {
          kind: 'image',
          imageUrl: 'https://cdn.example.org/b.png?a=1&b="2"',
          linkUrl: 'https://advertiser.example.com/',
          alt: 'Spring sale',
        },
      },
      allowedHosts: ['https://net.example.com'],
    });
    const visitor = await guest();
    const home = await visitor.get('/', BROWSER_ACCEPT);
    const html = String(home.body);
    const nonce = /<script nonce="([^"]+)" src="https:\/\/net\.example\.com\/banner\.js"/.exec(html)?.[1];
    assert.ok(nonce, 'the snippet script carries a nonce');
    const csp = home.headers.get('content-security-policy') ?? '';
    const directive = (name: string) => csp.split(';').find((part) => part.startsWith(`${name} `)) ?? '';
    assert.equal(
      directive('script-src'),
      `script-src 'self' 'nonce-${nonce}' https://net.example.com https://cdn.example.org https://advertiser.example.com`,
    );
    assert.match(directive('img-src'), /https:\/\/cdn\.example\.org/);
    assert.match(directive('frame-src'), /^frame-src https:\/\/net\.example\.com/);
    assert.equal(directive('frame-ancestors'), "frame-ancestors 'none'");
    assert.doesNotMatch(html, /Spring sale/, 'the under-player slot is only on the player');

    const player = await playerPage(visitor);
    assert.match(
      player.html,
      /<a href="https:\/\/advertiser\.example\.com\/" rel="sponsored noopener" target="_blank"><img src="https:\/\/cdn\.example\.org\/b\.png\?a=1&amp;b=&quot;2&quot;" alt="Spring sale"/,
    );
    const again = await visitor.get('/', BROWSER_ACCEPT);
    assert.notEqual(/nonce="([^"]+)"/.exec(String(again.body))?.[1], nonce, 'a fresh nonce per response');

    // Admins, admin pages and the API get none of it.
    const adminHome = await admin.get('/', BROWSER_ACCEPT);
    assert.doesNotMatch(String(adminHome.body), /net\.example\.com/);
    assert.doesNotMatch(adminHome.headers.get('content-security-policy') ?? '', /net\.example\.com|nonce/);
    const panel = await admin.get('/admin/ads');
    assert.doesNotMatch(panel.headers.get('content-security-policy') ?? '', /nonce/);
    assert.doesNotMatch(
      (await visitor.get('/api/titles')).headers.get('content-security-policy') ?? '',
      /net\.example/,
    );
  });

  it('/admin/ads shows the settings, saves the form (reasons shown on mistakes) and marks accounts ad-free', async () => {
    const page = await admin.get('/admin/ads');
    assert.equal(page.status, 200);
    assert.match(String(page.body), /<h1>Ads<\/h1>/);
    assert.match(String(page.body), /href="\/admin\/ads"/);
    const bad = await postPanelForm(server.url, admin, '/admin/ads', '/admin/ads', {
      enabled: 'on',
      vastTagUrl: 'http://insecure.example.com/tag',
      midrollOffsets: '60, soon',
      skipOffsetSeconds: '5',
      frequencyCapMinutes: '0',
    });
    assert.equal(bad.status, 400);
    assert.match(bad.html, /vastTagUrl must be an https URL/);
    assert.match(bad.html, /midrollOffsets/);
    // A field sent twice (no browser does) counts as not filled in: the page says what is missing.
    const twice = await postPanelForm(server.url, admin, '/admin/ads', '/admin/ads', {
      skipOffsetSeconds: '4',
      frequencyCapMinutes: '15',
      'slot.header.kind': 'html',
      'slot.header.html': ['<p>a</p>', '<p>b</p>'],
    });
    assert.equal(twice.status, 400);
    assert.match(twice.html, /slots\.header: an html slot needs html/);
    const good = await postPanelForm(server.url, admin, '/admin/ads', '/admin/ads', {
      enabled: 'on',
      preroll: 'on',
      vastTagUrl: '/ads/vast.xml',
      midrollOffsets: '300, 900',
      skipOffsetSeconds: '4',
      frequencyCapMinutes: '15',
      'houseAd.fileId': creativeId,
      'houseAd.clickThrough': 'https://advertiser.example.com/',
      'slot.header.kind': 'image',
      'slot.header.imageUrl': 'https://cdn.example.org/top.png',
      'slot.sidebar.kind': 'none',
      allowedHosts: 'https://cdn.example.org\r\nhttps://net.example.com',
      'shortener.urlTemplate': 'https://short.example.com/api?api={key}&url={url}',
      'shortener.apiKey': 'k',
    });
    assert.equal(good.status, 303, good.html.slice(0, 500));
    const saved = (await admin.get('/api/ads/settings')).body;
    assert.deepEqual(saved.midrollOffsets, [300, 900]);
    assert.deepEqual(saved.allowedHosts, ['https://cdn.example.org', 'https://net.example.com']);
    assert.deepEqual(saved.slots, { header: { kind: 'image', imageUrl: 'https://cdn.example.org/top.png' } });
    assert.deepEqual(saved.shortener, {
      enabled: false,
      urlTemplate: 'https://short.example.com/api?api={key}&url={url}',
      apiKey: 'k',
    });
    assert.equal(saved.frequencyCapMinutes, 15);

    const reader = (
      (await admin.get('/api/ads/accounts')).body as unknown as { id: string; username: string }[]
    ).find((row) => row.username === 'reader');
    const marked = await postPanelForm(server.url, admin, '/admin/ads', `/admin/ads/accounts/${reader?.id}`, {
      adFree: 'true',
    });
    assert.equal(marked.status, 303);
    const after = (await admin.get('/api/ads/accounts')).body as unknown as {
      username: string;
      adFree: boolean;
    }[];
    assert.equal(after.find((row) => row.username === 'reader')?.adFree, true);
    const unknown = await postPanelForm(server.url, admin, '/admin/ads', '/admin/ads/accounts/nope', {
      adFree: 'true',
    });
    assert.equal(unknown.status, 404);
  });

  it('/ads/download redirects to the signed file when no shortener applies; unknown files are 404', async () => {
    await save({});
    const res = await server.request(`/ads/download/${contentId}`, { redirect: 'manual' });
    assert.equal(res.status, 302);
    const location = res.headers.get('location') ?? '';
    assert.match(location, new RegExp(`/stream/${contentId}/Feature\\.Film\\.2020\\.webm\\?md5=`));
    assert.equal((await fetch(location, { headers: { range: 'bytes=0-0' } })).status, 206);
    assert.equal(
      (await server.request('/ads/download/0123456789abcdef01234567', { redirect: 'manual' })).status,
      404,
    );
    assert.equal((await server.request('/ads/download/nope', { redirect: 'manual' })).status, 400);
  });
});
