import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type INestApplication } from '@nestjs/common';
import { Types } from 'mongoose';
import { MongoConnection } from '../../src/core/database/mongo-connection.js';
import { FileChangeBus } from '../../src/library/file-change.bus.js';
import { AdServingTokens } from '../../src/franchise/ads/tracking/ad-serving-tokens.js';
import { AdEventSource, utcDay } from '../../src/franchise/ads/tracking/ad-event.js';
import { AdStatsService } from '../../src/franchise/ads/tracking/ad-stats.service.js';
import { adSettings, storeVideo } from '../support/ads.js';
import { startTestDatabase, type TestDatabase } from '../support/database.js';
import { eventually } from '../support/eventually.js';
import { HostClient } from '../support/host-client.js';
import { type InProcessApp, signInAdmin } from '../support/in-process-app.js';
import { storeFile } from '../support/library-fixtures.js';
import { randomFile } from '../support/media.js';
import { openPaused } from '../support/paused-request.js';
import { BROWSER_ACCEPT, startSiteApp } from '../support/site-app.js';

const CINEMA = 'cinema.example.com';
const QUIET = 'quiet.example.com';
const NARROW = 'narrow.example.com';

describe("franchise: a tenant's own ads", () => {
  let db: TestDatabase;
  let server: InProcessApp;
  let owner: HostClient;
  let cinema: string;
  let quiet: string;
  let creativeId: string;
  let contentId: string;

  before(async () => {
    db = await startTestDatabase();
    server = await startSiteApp({ MONGODB_URI: db.uri });
    const operator = await signInAdmin(server);
    const ids: string[] = [];
    for (const [slug, domain] of [
      ['cinema', CINEMA],
      ['quiet', QUIET],
    ]) {
      const res = await operator.post('/api/tenants', { slug, name: slug, domains: [domain] });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      ids.push(String(res.body.id));
    }
    [cinema, quiet] = ids;
    const created = await operator.post(`/api/tenants/${cinema}/admins`, {
      username: 'owner',
      password: 'owner-password',
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    owner = new HostClient(server.url, CINEMA);
    await owner.login('owner', 'owner-password');
    creativeId = String((await storeVideo(server.app, 3, 'house-ad.webm'))._id);
    contentId = String((await storeVideo(server.app, 4, 'Feature.Film.2020.webm'))._id);
    const saved = await owner.request('PUT', '/api/ads/settings', {
      json: adSettings({
        vastTagUrl: '/ads/vast.xml',
        houseAd: { fileId: creativeId, clickThrough: 'https://sponsor.example.com/' },
      }),
    });
    assert.equal(saved.status, 200, JSON.stringify(saved.body));
  });
  after(async () => {
    await server?.close();
    await db?.stop();
  });

  it("points its house ad's video and beacons at its own site, where its links play and its counts are its own", async () => {
    const vast = await new HostClient(server.url, CINEMA).get('/ads/vast.xml');
    assert.equal(vast.status, 200);
    const unescape = (text: string) => text.replace(/&amp;/g, '&');
    const media = unescape(/<MediaFile[^>]*>([^<]+)<\/MediaFile>/.exec(vast.text)?.[1] ?? '');
    assert.ok(media.startsWith(`http://${CINEMA}/stream/${creativeId}/`), media);
    const beacons = [...vast.text.matchAll(/<(?:Click)?Tracking[^>]*>([^<]+)<\/(?:Click)?Tracking>/g)].map(
      (m) => unescape(m[1]),
    );
    assert.ok(beacons.length > 0);
    for (const beacon of beacons) assert.ok(beacon.startsWith(`http://${CINEMA}/ads/track/`), beacon);
    const url = new URL(media);
    const played = await new HostClient(server.url, CINEMA).get(`${url.pathname}${url.search}`, {
      range: 'bytes=0-15',
    });
    assert.equal(played.status, 206, 'the link plays on the site that gave it');
  });

  it('plays its house ad while its one allowed stream, the content, is open: an ad takes no stream slot', async () => {
    const operator = await signInAdmin(server);
    // Big enough that the paused content stream is still running (holding its slot) throughout.
    const { path } = randomFile(16 * 1024 * 1024);
    const feature = await storeFile(server.app, path, 'Long.Feature.bin');
    rmSync(dirname(path), { recursive: true, force: true });
    const limited = await operator.patch(`/api/tenants/${cinema}`, { quotas: { concurrentStreams: 1 } });
    assert.equal(limited.status, 200, JSON.stringify(limited.body));
    const viewer = new HostClient(server.url, CINEMA);
    await viewer.get('/');
    const signed = await viewer.post('/sign', { fileId: String(feature._id) });
    assert.equal(signed.status, 200, JSON.stringify(signed.body));
    const contentUrl = new URL(String(signed.body.url));
    const contentLink = `${contentUrl.pathname}${contentUrl.search}`;
    const content = await openPaused(server.url, CINEMA, contentLink);
    try {
      assert.equal(content.statusCode, 200);
      const creative = creativeLink((await viewer.get('/ads/vast.xml')).text);
      assert.ok(creative.startsWith(`/stream/${creativeId}/ad/`), creative);
      const ad = await viewer.get(creative, { range: 'bytes=0-15' });
      assert.equal(ad.status, 206, JSON.stringify(ad.body));
      assert.equal(ad.bytes.length, 16);

      // The one slot is still the content's: a second content stream is refused.
      const second = await new HostClient(server.url, CINEMA).get(contentLink);
      assert.deepEqual([second.status, second.body.error], [429, 'too_many_streams']);
      // The slot-free path opens only with a link minted for it: not with a session, nor with a
      // content link's signature.
      const bySession = await owner.get(`/stream/${String(feature._id)}/ad/Long.Feature.bin`);
      assert.deepEqual([bySession.status, bySession.body.error], [403, 'forbidden']);
      const forged = await viewer.get(
        `/stream/${String(feature._id)}/ad/Long.Feature.bin${contentUrl.search}`,
      );
      assert.deepEqual([forged.status, forged.body.error], [403, 'forbidden']);
    } finally {
      content.destroy();
      await operator.patch(`/api/tenants/${cinema}`, { quotas: { concurrentStreams: null } });
    }
  });

  it('refuses a house ad longer than an ad (a film would play past the stream slots), and an ad link to one takes a slot', async () => {
    const film = await storeVideo(server.app, 3, 'Film.As.Ad.webm');
    await setDuration(server.app, String(film._id), 600); // a film, as far as its record says
    const refused = await owner.request('PUT', '/api/ads/settings', {
      json: adSettings({
        vastTagUrl: '/ads/vast.xml',
        houseAd: { fileId: String(film._id), clickThrough: 'https://sponsor.example.com/' },
      }),
    });
    assert.equal(refused.status, 400, JSON.stringify(refused.body));
    assert.match(String(refused.body.message), /at most 120 s.*600 s long/);

    // The current creative's record now says it is long (set before the rule, or probed again): its
    // ad link needs a slot like content, and the site's one slot is held by a content stream.
    const operator = await signInAdmin(server);
    const limited = await operator.patch(`/api/tenants/${cinema}`, { quotas: { concurrentStreams: 1 } });
    assert.equal(limited.status, 200, JSON.stringify(limited.body));
    const { path } = randomFile(16 * 1024 * 1024);
    const feature = await storeFile(server.app, path, 'Held.Feature.bin');
    rmSync(dirname(path), { recursive: true, force: true });
    const viewer = new HostClient(server.url, CINEMA);
    await viewer.get('/');
    const signed = await viewer.post('/sign', { fileId: String(feature._id) });
    const contentUrl = new URL(String(signed.body.url));
    const content = await openPaused(server.url, CINEMA, `${contentUrl.pathname}${contentUrl.search}`);
    const creative = creativeLink((await viewer.get('/ads/vast.xml')).text);
    await setDuration(server.app, creativeId, 600);
    try {
      assert.equal(content.statusCode, 200);
      const ad = await viewer.get(creative, { range: 'bytes=0-15' });
      assert.deepEqual([ad.status, ad.body.error], [429, 'too_many_streams']);
    } finally {
      content.destroy();
      await setDuration(server.app, creativeId, 3);
      await operator.patch(`/api/tenants/${cinema}`, { quotas: { concurrentStreams: null } });
    }
  });

  it('shows its ads to its visitors, not to its own admin, who is not listed among the accounts to mark ad-free', async () => {
    const adsOf = async (client: HostClient) => {
      const page = await client.get(`/play/${contentId}`, BROWSER_ACCEPT);
      assert.equal(page.status, 200);
      return /data-ads="/.test(page.text);
    };
    const visitor = new HostClient(server.url, CINEMA);
    await visitor.get('/');
    assert.equal(await adsOf(visitor), true, 'a visitor sees them');
    assert.equal(await adsOf(owner), false, 'the site admin does not');
    const accounts = await owner.get('/api/ads/accounts');
    assert.equal(accounts.status, 200);
    assert.deepEqual(
      (accounts.body as { username: string }[]).map((a) => a.username),
      [],
    );
  });

  it("refuses a house ad its site does not show (404), and serves none once the site's scope leaves it out", async () => {
    const operator = await signInAdmin(server);
    const narrow = await operator.post('/api/tenants', {
      slug: 'narrow',
      name: 'narrow',
      domains: [NARROW],
      scope: { mode: 'filtered', kinds: ['anime'] },
    });
    assert.equal(narrow.status, 201, JSON.stringify(narrow.body));
    const created = await operator.post(`/api/tenants/${String(narrow.body.id)}/admins`, {
      username: 'narrow-owner',
      password: 'owner-password',
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const narrowOwner = new HostClient(server.url, NARROW);
    await narrowOwner.login('narrow-owner', 'owner-password');
    const refused = await narrowOwner.request('PUT', '/api/ads/settings', {
      json: adSettings({
        vastTagUrl: '/ads/vast.xml',
        houseAd: { fileId: creativeId, clickThrough: 'https://sponsor.example.com/' },
      }),
    });
    assert.deepEqual([refused.status, refused.body.error], [404, 'not_found'], JSON.stringify(refused.body));

    // The cinema's creative is shown while its site shows it; not after its scope narrows.
    const cinemaVast = () => new HostClient(server.url, CINEMA).get('/ads/vast.xml');
    assert.match((await cinemaVast()).text, /<MediaFile/);
    const narrowed = await operator.patch(`/api/tenants/${cinema}`, {
      scope: { mode: 'filtered', kinds: ['anime'] },
    });
    assert.equal(narrowed.status, 200, JSON.stringify(narrowed.body));
    try {
      await eventually(
        async () => (await cinemaVast()).text,
        (text) => !text.includes('<MediaFile'),
        { what: 'an empty VAST' },
      );
    } finally {
      await operator.patch(`/api/tenants/${cinema}`, { scope: { mode: 'all' } });
    }
  });

  it("counts a site's served ads on that site only: another site's token is refused, and a site whose ads are off counts nothing", async () => {
    const vast = await new HostClient(server.url, CINEMA).get('/ads/vast.xml');
    const beacon = new URL(
      (/<ClickTracking[^>]*>([^<]+)<\/ClickTracking>/.exec(vast.text)?.[1] ?? '').replace(/&amp;/g, '&'),
    );
    const path = `${beacon.pathname}${beacon.search}`;
    const today = utcDay(new Date());
    // The cinema's token on the quiet site, and on the operator's: forged there.
    for (const client of [
      new HostClient(server.url, QUIET),
      new HostClient(server.url, new URL(server.url).host),
    ]) {
      const refused = await client.get(path);
      assert.deepEqual(
        [refused.status, refused.body.error],
        [403, 'bad_token'],
        JSON.stringify(refused.body),
      );
    }
    assert.deepEqual((await server.app.get(AdStatsService).stats(quiet, today, today)).totals, {});
    assert.equal((await new HostClient(server.url, CINEMA).get(path)).status, 204);
    const counted = await server.app.get(AdStatsService).stats(cinema, today, today);
    assert.equal(counted.totals['house:click'], 1);

    // A site whose ads are off serves no tokens; one it served before they went off counts nothing.
    const quietToken = server.app.get(AdServingTokens).issue(quiet, AdEventSource.Player, 1, 60_000).token;
    const visitor = new HostClient(server.url, QUIET);
    for (let i = 0; i < 3; i++)
      assert.equal((await visitor.post(`/ads/track/click?token=${quietToken}`)).status, 204);
    assert.deepEqual((await server.app.get(AdStatsService).stats(quiet, today, today)).totals, {});
  });
});

/** The origin-relative link of a VAST document's media file. */
/** A stored file's probed length changed, as the streamer's record cache hears of it. */
async function setDuration(app: INestApplication, fileId: string, seconds: number): Promise<void> {
  await app
    .get(MongoConnection)
    .connection.collection('media_files')
    .updateOne({ _id: new Types.ObjectId(fileId) }, { $set: { duration: seconds } });
  await app.get(FileChangeBus).publish([fileId]);
}

function creativeLink(vast: string): string {
  const media = (/<MediaFile[^>]*>([^<]+)<\/MediaFile>/.exec(vast)?.[1] ?? '').replace(/&amp;/g, '&');
  const url = new URL(media);
  return `${url.pathname}${url.search}`;
}
