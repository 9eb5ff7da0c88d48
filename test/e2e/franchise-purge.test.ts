import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Types } from 'mongoose';
import { UserService } from '../../src/auth/user.service.js';
import { MongoConnection } from '../../src/core/database/mongo-connection.js';
import { RedisClient } from '../../src/core/redis/redis-client.js';
import { TenantContext } from '../../src/core/tenancy/tenant-context.js';
import { TenantDirectory } from '../../src/core/tenancy/tenant-directory.js';
import { TenantUsageRepository, usageDay } from '../../src/core/tenancy/tenant-usage.repository.js';
import { AdCountersRepository } from '../../src/franchise/ads/tracking/ad-counters.repository.js';
import { AdDaysFlusher } from '../../src/franchise/ads/tracking/ad-days.flusher.js';
import { AdDaysRepository } from '../../src/franchise/ads/tracking/ad-days.repository.js';
import { TenantUsageService } from '../../src/franchise/usage/tenant-usage.service.js';
import { LibraryService } from '../../src/library/library.service.js';
import { adSettings } from '../support/ads.js';
import { startTestDatabase, type TestDatabase } from '../support/database.js';
import { HostClient } from '../support/host-client.js';
import { type TestClient } from '../support/http.js';
import { type InProcessApp, signInAdmin, startInProcessApp } from '../support/in-process-app.js';
import { createMediaFile } from '../support/library-fixtures.js';
import { subsonicToken } from '../support/music.js';

const PURGED = 'purged.example.com';
const KEPT = 'kept.example.com';

describe('franchise: purging a tenant removes everything of it, and nothing of anyone else', () => {
  let db: TestDatabase;
  let server: InProcessApp;
  let operator: TestClient;
  const tenant: Record<string, string> = {};
  const accounts: Record<string, string> = {};
  let titleId: string;
  let fileId: Types.ObjectId;
  let bossId: string;
  const sessionsOf = (id: string) => count('sessions', { userId: new Types.ObjectId(id) });
  const today = usageDay();

  const count = (collection: string, filter: Record<string, unknown>) =>
    server.app.get(MongoConnection).connection.collection(collection).countDocuments(filter);
  const redisHas = async (key: string) => (await server.app.get(RedisClient).client.exists(key)) === 1;
  const thread = (site: string | undefined, title: string) =>
    `comments:{index}:title:${site ? `${site}:` : ''}${title}`;

  let purging: Promise<void> | undefined;
  /** Purges the tenant, once: the tests that look at what a purge leaves each call it. */
  const purge = () =>
    (purging ??= (async () => {
      const res = await operator.request('DELETE', `/api/tenants/${tenant[PURGED]}?purge=true`);
      assert.equal(res.status, 204, JSON.stringify(res.body));
    })());

  /** A viewer account of the site on `host`, signed in there. */
  async function viewerOn(host: string, username: string): Promise<HostClient> {
    const site = (await server.app.get(TenantDirectory).byId(tenant[host]))!;
    const user = await TenantContext.run(site, () =>
      server.app.get(UserService).create({ username, password: `${username}-password`, role: 'viewer' }),
    );
    accounts[host] = user.id;
    const client = new HostClient(server.url, host);
    await client.login(username, `${username}-password`);
    return client;
  }

  /**
   * Everything a site's people leave behind: comments (title and episode), progress, an app password
   * and, through it, a public music playlist.
   */
  async function leaveTraces(client: HostClient, label: string): Promise<void> {
    const comment = await client.post(`/api/titles/${titleId}/comments`, { body: `Said on ${label}` });
    assert.equal(comment.status, 201, comment.text);
    const episode = await client.post(`/api/titles/${titleId}/episodes/1/1/comments`, {
      body: `Episode talk on ${label}`,
    });
    assert.equal(episode.status, 201, episode.text);
    const progress = await client.request('PUT', `/api/progress/${String(fileId)}`, {
      json: { position: 30, duration: 600 },
    });
    assert.equal(progress.status, 200, progress.text);
    const password = await client.post('/api/auth/app-passwords', { label: 'reader' });
    assert.equal(password.status, 201, password.text);
    const subsonic = async (method: string, args: Record<string, string>) => {
      const query = new URLSearchParams({
        v: '1.16.1',
        c: 'test',
        f: 'json',
        ...subsonicToken('viewer', String(password.body.password), 'salt1'),
        ...args,
      });
      const res = await client.get(`/rest/${method}?${query}`);
      assert.equal(res.status, 200, res.text);
      const answer = (res.body as Record<string, Record<string, unknown>>)['subsonic-response'];
      assert.equal(answer.status, 'ok', res.text);
      return answer;
    };
    const playlist = (await subsonic('createPlaylist', { name: `Mix of ${label}` })).playlist as {
      id: string;
    };
    await subsonic('updatePlaylist', { playlistId: playlist.id, public: 'true' });
  }

  before(async () => {
    db = await startTestDatabase();
    server = await startInProcessApp({ MONGODB_URI: db.uri, ROLE: 'manager' });
    operator = await signInAdmin(server);
    for (const [slug, domain] of [
      ['purged', PURGED],
      ['kept', KEPT],
    ]) {
      const res = await operator.post('/api/tenants', {
        slug,
        name: slug,
        domains: [domain],
        quotas: { commentsPerDay: 100 },
      });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      tenant[domain] = String(res.body.id);
    }
    const library = server.app.get(LibraryService);
    const title = await library.upsertSkeleton({ kind: 'series', name: 'Shared Show', year: 2001 });
    titleId = String(title._id);
    fileId = await createMediaFile(server.app);
    await library.attachFile(title._id, fileId, { season: 1, episodes: [1] });

    // The purged tenant: an admin who sets up ads and marks its viewer ad-free, and a viewer.
    const admin = await operator.post(`/api/tenants/${tenant[PURGED]}/admins`, {
      username: 'boss',
      password: 'boss-password',
    });
    assert.equal(admin.status, 201, JSON.stringify(admin.body));
    bossId = String(admin.body.id);
    const boss = new HostClient(server.url, PURGED);
    await boss.login('boss', 'boss-password');
    await leaveTraces(await viewerOn(PURGED, 'viewer'), 'purged');
    assert.equal((await boss.request('PUT', '/api/ads/settings', { json: adSettings() })).status, 200);
    const adFree = await boss.request('PUT', `/api/ads/accounts/${accounts[PURGED]}/ad-free`, {
      json: { adFree: true },
    });
    assert.equal(adFree.status, 200, adFree.text);
    // The kept tenant and the operator's site have the same kinds of data.
    await leaveTraces(await viewerOn(KEPT, 'viewer'), 'kept');
    const own = await operator.post(`/api/titles/${titleId}/comments`, { body: 'Said on the operator site' });
    assert.equal(own.status, 201);

    // Metering and ad statistics, in Redis and copied to Mongo.
    const usage = server.app.get(TenantUsageRepository);
    await usage.record(
      today,
      new Map([
        [tenant[PURGED], 5000],
        [tenant[KEPT], 7000],
      ]),
    );
    await server.app.get(TenantUsageService).archive();
    for (const site of [tenant[PURGED], tenant[KEPT]]) {
      await server.app.get(AdCountersRepository).count(site, today, 'impression');
      await server.app.get(AdDaysRepository).save(site, today, { impression: 1 });
    }
  });
  after(async () => {
    await server?.close();
    await db?.stop();
  });

  it('has the data it is about to purge (the checks below can see it)', async () => {
    const purged = tenant[PURGED];
    assert.equal(await count('users', { tenantId: purged }), 2);
    assert.equal(await count('account_names', { tenantId: purged }), 2);
    assert.equal(await count('comments', { tenantId: purged }), 1);
    assert.ok(await redisHas(thread(purged, titleId)));
    assert.equal(await count('episode_comments', { _id: `${purged}:${titleId}:1:1` }), 1);
    assert.equal(await count('viewer_profiles', { _id: accounts[PURGED] }), 1);
    assert.equal(await count('progress', { identityId: accounts[PURGED] }), 1);
    assert.equal(await count('app_passwords', { _id: accounts[PURGED] }), 1);
    assert.equal(await count('music_playlists', { tenantId: purged }), 1);
    assert.equal(await count('music_playlist_lists', { _id: `owner:${accounts[PURGED]}` }), 1);
    assert.equal(await count('music_playlist_lists', { _id: `public:${purged}` }), 1);
    assert.ok((await sessionsOf(accounts[PURGED])) > 0 && (await sessionsOf(bossId)) > 0);
    assert.equal(await count('tenant_usage', { tenantId: purged }), 1);
    assert.ok(await redisHas(`tenant-usage:{${purged}}:bytes:${today}`));
    assert.ok(await redisHas(`tenant-usage:{${purged}}:comments:${today}`));
    assert.equal(await count('ad_settings', { _id: purged }), 1);
    assert.equal(await count('ad_free_accounts', { owner: purged }), 1);
    assert.equal(await count('ad_events', { owner: purged }), 1);
    assert.ok(await redisHas(`ads:{${purged}}:events:${today}`));
  });

  it('removes accounts, sessions, app passwords, progress, playlists, comments, usage and ads of the tenant', async () => {
    const purged = tenant[PURGED];
    await purge();

    assert.equal(await count('users', { tenantId: purged }), 0);
    assert.equal(await count('account_names', { tenantId: purged }), 0);
    assert.deepEqual([await sessionsOf(accounts[PURGED]), await sessionsOf(bossId)], [0, 0]);
    assert.equal(await count('app_passwords', { _id: accounts[PURGED] }), 0);
    assert.equal(await count('music_playlists', { tenantId: purged }), 0);
    assert.equal(await count('music_playlist_lists', { _id: `owner:${accounts[PURGED]}` }), 0);
    assert.equal(await count('music_playlist_lists', { _id: `public:${purged}` }), 0);
    assert.equal(await count('viewer_profiles', { _id: accounts[PURGED] }), 0);
    assert.equal(await count('progress', { identityId: accounts[PURGED] }), 0);
    assert.equal(await count('comments', { tenantId: purged }), 0);
    assert.equal(await redisHas(thread(purged, titleId)), false);
    assert.equal(await count('episode_comments', { _id: `${purged}:${titleId}:1:1` }), 0);
    assert.equal(await count('tenant_usage', { tenantId: purged }), 0);
    assert.equal(await redisHas(`tenant-usage:{${purged}}:bytes:${today}`), false);
    assert.equal(await redisHas(`tenant-usage:{${purged}}:comments:${today}`), false);
    assert.equal(await count('ad_settings', { _id: purged }), 0);
    assert.equal(await count('ad_free_accounts', { owner: purged }), 0);
    assert.equal(await count('ad_events', { owner: purged }), 0);
    assert.equal(await redisHas(`ads:{${purged}}:events:${today}`), false);
    assert.ok(!(await server.app.get(AdCountersRepository).owners()).includes(purged));
    assert.equal(await count('tenant_keys', { tenantId: purged }), 0);
    assert.equal(await count('tenants', { _id: purged }), 0);
  });

  it("leaves the other tenant's and the operator's data alone", async () => {
    const kept = tenant[KEPT];
    // After the purge, whether the test before did it or this one.
    await purge();
    assert.equal(await count('tenants', { _id: tenant[PURGED] }), 0);
    assert.equal(await count('users', { tenantId: kept }), 1);
    assert.equal(await count('account_names', { tenantId: kept }), 1);
    assert.equal(await count('app_passwords', { _id: accounts[KEPT] }), 1);
    assert.equal(await count('music_playlists', { tenantId: kept }), 1);
    assert.equal(await count('music_playlist_lists', { _id: `owner:${accounts[KEPT]}` }), 1);
    assert.equal(await count('music_playlist_lists', { _id: `public:${kept}` }), 1);
    assert.ok((await sessionsOf(accounts[KEPT])) > 0);
    assert.equal(await count('progress', { identityId: accounts[KEPT] }), 1);
    assert.equal(await count('comments', { tenantId: kept }), 1);
    assert.equal(await count('comments', { tenantId: { $exists: false } }), 1);
    assert.ok(await redisHas(thread(kept, titleId)));
    assert.ok(await redisHas(thread(undefined, titleId)));
    assert.equal(await count('episode_comments', { _id: `${kept}:${titleId}:1:1` }), 1);
    assert.equal(await count('tenant_usage', { tenantId: kept }), 1);
    assert.ok(await redisHas(`tenant-usage:{${kept}}:bytes:${today}`));
    assert.equal(await count('ad_events', { owner: kept }), 1);
    const viewer = new HostClient(server.url, KEPT);
    await viewer.login('viewer', 'viewer-password');
    assert.equal((await viewer.get('/api/auth/me')).status, 200);
  });

  it("does not bring back a purged tenant's ad stats counted by an event still in flight", async () => {
    const purged = tenant[PURGED];
    const kept = tenant[KEPT];
    await purge();
    const counters = server.app.get(AdCountersRepository);
    // A track() that was under way when the purge ran lands after it: HINCRBY and SADD ads:owners again.
    await counters.count(purged, today, 'impression');
    await counters.count(kept, today, 'click');
    await counters.count('default', today, 'impression');
    assert.ok((await counters.owners()).includes(purged));

    await server.app.get(AdDaysFlusher).run();

    assert.equal(await count('ad_events', { owner: purged }), 0);
    assert.equal(await redisHas(`ads:{${purged}}:events:${today}`), false);
    assert.ok(!(await counters.owners()).includes(purged));
    // Live owners, the operator's own site among them, are copied as always.
    const copied = server.app.get(MongoConnection).connection.collection('ad_events');
    assert.equal(await count('ad_events', { owner: kept }), 1);
    assert.ok(await copied.findOne({ owner: kept, 'counts.click': 1 }));
    assert.ok(await copied.findOne({ owner: 'default' }));
    assert.deepEqual(
      (await counters.owners()).filter((owner) => owner !== purged).sort(),
      [kept, 'default'].sort(),
    );
  });

  it("deleting a title removes every site's comment threads of it, from the index too", async () => {
    const kept = tenant[KEPT];
    await server.app.get(LibraryService).deleteTitle(new Types.ObjectId(titleId));
    assert.equal(await count('comments', { titleId: { $exists: true } }), 0);
    assert.equal(await redisHas(thread(kept, titleId)), false);
    assert.equal(await redisHas(thread(undefined, titleId)), false);
    assert.equal(await count('episode_comments', {}), 0);
  });
});
