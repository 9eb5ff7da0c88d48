import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { UserService } from '../../src/auth/user.service.js';
import { MongoConnection } from '../../src/core/database/mongo-connection.js';
import { RedisMutex } from '../../src/core/redis/redis-mutex.js';
import { TenantContext } from '../../src/core/tenancy/tenant-context.js';
import { TenantDirectory } from '../../src/core/tenancy/tenant-directory.js';
import { PlaylistRepository } from '../../src/music/model/playlist.repository.js';
import { MusicUserService } from '../../src/music/user/music-user.service.js';
import { PlaylistListsBackfill } from '../../src/music/user/playlist-lists.backfill.js';
import { startTestDatabase, type TestDatabase } from '../support/database.js';
import { HostClient } from '../support/host-client.js';
import { type InProcessApp, startInProcessApp } from '../support/in-process-app.js';
import { subsonicToken } from '../support/music.js';

const A = 'a.example.com';
const B = 'b.example.com';
const DEFAULT = '127.0.0.1';
const HOSTS = [A, B, DEFAULT] as const;

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

interface Account {
  id: string;
  name: string;
  password: string;
  web: HostClient;
}

describe('franchise: public playlists and "now playing" belong to their owner’s site', () => {
  let db: TestDatabase;
  let server: InProcessApp;
  /** Per host: `alice` (every site has one) and `bob`, who looks at alice's public playlists. */
  const accounts: Record<string, { alice: Account; bob: Account }> = {};
  /** Per host: its tenant id. */
  const sites: Record<string, string> = {};

  before(async () => {
    db = await startTestDatabase();
    server = await startInProcessApp({ MONGODB_URI: db.uri, ROLE: 'manager,streamer' });
    // Boot creates the admin without holding itself up: on a busy machine a login could come first.
    await server.app.get(UserService).bootstrapAdmin();
    const operator = new HostClient(server.url, DEFAULT);
    await operator.login('admin', 'admin-password-for-tests');
    sites[DEFAULT] = 'default';
    for (const [slug, domain] of [
      ['site-a', A],
      ['site-b', B],
    ] as const) {
      const created = await operator.post('/api/tenants', { slug, name: slug, domains: [domain] });
      assert.equal(created.status, 201, created.text);
      sites[domain] = String(created.body.id);
    }
    for (const host of HOSTS) {
      const tenant = (await server.app.get(TenantDirectory).byId(sites[host]))!;
      const account = async (name: string): Promise<Account> => {
        const user = await TenantContext.run(tenant, () =>
          server.app
            .get(UserService)
            .create({ username: name, password: `${name}-password`, role: 'viewer' }),
        );
        const web = new HostClient(server.url, host);
        await web.login(name, `${name}-password`);
        const app = await web.post('/api/auth/app-passwords', { label: 'apps' });
        assert.equal(app.status, 201, app.text);
        return { id: user.id, name, password: String(app.body.password), web };
      };
      accounts[host] = { alice: await account('alice'), bob: await account('bob') };
    }
  });
  after(async () => {
    await server?.close();
    await db?.stop();
  });

  /** A Subsonic call on `host` as `who`; the `subsonic-response` object. */
  const subsonic = async (
    host: string,
    who: 'alice' | 'bob',
    method: string,
    args: Record<string, string> = {},
  ) => {
    const { name, password } = accounts[host][who];
    const query = new URLSearchParams({
      v: '1.16.1',
      c: 'test',
      f: 'json',
      ...subsonicToken(name, password, 'salt42'),
      ...args,
    });
    const res = await new HostClient(server.url, host).get(`/rest/${method}?${query}`);
    assert.equal(res.status, 200, `${method} on ${host}: ${res.text}`);
    return (res.body as Json)['subsonic-response'] as Json;
  };
  const playlistNames = async (host: string, who: 'alice' | 'bob') =>
    ((await subsonic(host, who, 'getPlaylists')).playlists.playlist ?? []).map((p: Json) => p.name).sort();
  const webNames = async (host: string, who: 'alice' | 'bob') => {
    const res = await accounts[host][who].web.get('/api/music/playlists');
    assert.equal(res.status, 200, res.text);
    return (res.body as unknown as Json[]).map((p) => p.name).sort();
  };

  /** Alice makes a playlist named `name` on `host`, shared with the site's accounts if `shared`; its id. */
  const makePlaylist = async (host: string, name: string, shared: boolean) => {
    const created = await subsonic(host, 'alice', 'createPlaylist', { name });
    const id = String(created.playlist.id);
    if (shared) {
      const answer = await subsonic(host, 'alice', 'updatePlaylist', { playlistId: id, public: 'true' });
      assert.equal(answer.status, 'ok', JSON.stringify(answer));
    }
    return id;
  };
  /**
   * What `host` lists now, before a test acts: its own playlists only (every name here starts with
   * its host), so a leak from another site is caught in the snapshot too.
   */
  const listedBefore = async (host: string, who: 'alice' | 'bob') => {
    const names = await playlistNames(host, who);
    for (const name of names) assert.ok(name.startsWith(`${host} `), `${host} lists ${name}`);
    return names;
  };
  /** `names` with `more` added, sorted as the lists are. */
  const plus = (names: string[], ...more: string[]) => [...names, ...more].sort();

  // Each test makes the playlists it looks at. The public ones stay listed on their site, so a test
  // compares a site's lists with what they held before it acted, not with an empty site.

  it('lists the public playlists of the site’s own accounts only, over Subsonic and the web player', async () => {
    const before: Record<string, Record<'alice' | 'bob', string[]>> = {};
    for (const host of HOSTS) {
      before[host] = { alice: await listedBefore(host, 'alice'), bob: await listedBefore(host, 'bob') };
      assert.deepEqual(await webNames(host, 'alice'), before[host].alice, host);
      assert.deepEqual(await webNames(host, 'bob'), before[host].bob, host);
    }
    for (const host of HOSTS) {
      await makePlaylist(host, `${host} open`, true);
      await makePlaylist(host, `${host} closed`, false);
    }
    for (const host of HOSTS) {
      const { alice, bob } = before[host];
      assert.deepEqual(await playlistNames(host, 'bob'), plus(bob, `${host} open`), host);
      assert.deepEqual(await webNames(host, 'bob'), plus(bob, `${host} open`), host);
      assert.deepEqual(
        await playlistNames(host, 'alice'),
        plus(alice, `${host} closed`, `${host} open`),
        host,
      );
      assert.deepEqual(await webNames(host, 'alice'), plus(alice, `${host} closed`, `${host} open`), host);
    }
  });

  it('answers another site’s playlist by id as not found (Subsonic 70, web 404), its own as usual', async () => {
    const made: Record<string, { open: string; closed: string }> = {};
    for (const host of HOSTS) {
      made[host] = {
        open: await makePlaylist(host, `${host} open by id`, true),
        closed: await makePlaylist(host, `${host} closed by id`, false),
      };
    }
    for (const host of HOSTS) {
      for (const other of HOSTS.filter((h) => h !== host)) {
        for (const id of [made[other].open, made[other].closed]) {
          const answer = await subsonic(host, 'bob', 'getPlaylist', { id });
          assert.equal(answer.status, 'failed', `${id} of ${other} on ${host}`);
          assert.equal(answer.error.code, 70, `${id} of ${other} on ${host}`);
          const web = await accounts[host].bob.web.get(`/api/music/playlists/${id}`);
          assert.equal(web.status, 404, `${id} of ${other} on ${host}`);
        }
      }
      assert.equal(
        (await subsonic(host, 'bob', 'getPlaylist', { id: made[host].open })).playlist.name,
        `${host} open by id`,
      );
      assert.equal((await subsonic(host, 'bob', 'getPlaylist', { id: made[host].closed })).error.code, 70);
    }
  });

  it('follows sharing, unsharing and deleting', async () => {
    const onA = await listedBefore(A, 'bob');
    const onB = await listedBefore(B, 'bob');
    const alices = await listedBefore(A, 'alice');
    const open = await makePlaylist(A, `${A} open to unshare`, true);
    const closed = await makePlaylist(A, `${A} closed to share`, false);
    // Another site's public playlist, which nothing below touches.
    await makePlaylist(B, `${B} open elsewhere`, true);

    await subsonic(A, 'alice', 'updatePlaylist', { playlistId: open, public: 'false' });
    await subsonic(A, 'alice', 'updatePlaylist', { playlistId: closed, public: 'true' });
    assert.deepEqual(await playlistNames(A, 'bob'), plus(onA, `${A} closed to share`));
    assert.deepEqual(await playlistNames(B, 'bob'), plus(onB, `${B} open elsewhere`));

    assert.equal((await subsonic(A, 'alice', 'deletePlaylist', { id: closed })).status, 'ok');
    assert.deepEqual(await playlistNames(A, 'bob'), onA);
    assert.deepEqual(await playlistNames(A, 'alice'), plus(alices, `${A} open to unshare`));
    await subsonic(A, 'alice', 'updatePlaylist', { playlistId: open, public: 'true' });
    assert.deepEqual(await playlistNames(A, 'bob'), plus(onA, `${A} open to unshare`));
  });

  it('backfills playlists from before they carried their site: each shows on its owner’s site only', async () => {
    const raw = server.app.get(MongoConnection).connection.db!;
    // A playlist of today on each site: the backfill lists it again, on its site.
    const listed: Record<string, string[]> = {};
    for (const host of HOSTS) {
      const others = await listedBefore(host, 'bob');
      await makePlaylist(host, `${host} current`, true);
      listed[host] = plus(others, `${host} current`);
      assert.deepEqual(await playlistNames(host, 'bob'), listed[host], host);
    }
    const current = await raw.collection('music_playlists').countDocuments();
    const legacy = (host: string, name: string) => ({
      _id: `pl-legacy-${name}`,
      owner: accounts[host].alice.id,
      ownerName: 'alice',
      name,
      public: true,
      trackIds: [],
      createdAt: new Date(),
      updatedAt: new Date(),
    });
    await raw
      .collection('music_playlists')
      .insertMany(HOSTS.map((host) => legacy(host, `${host} legacy`)) as never[]);
    await raw.collection('music_playlist_lists').deleteOne({ _id: 'meta:backfilled' as never });
    // Not listed anywhere yet (the lists predate them).
    for (const host of HOSTS) assert.deepEqual(await playlistNames(host, 'bob'), listed[host], host);

    // A manager booting after the upgrade: its own repository has not seen the lists complete.
    const repository = new PlaylistRepository(server.app.get(MongoConnection), server.app.get(RedisMutex));
    const backfill = new PlaylistListsBackfill(repository, server.app.get(UserService));
    const all = await raw.collection('music_playlists').countDocuments();
    assert.equal(all, current + HOSTS.length);
    assert.equal(await backfill.run(), all, 'every playlist is listed, the legacy ones included');
    assert.equal(await backfill.run(), 0, 'once');

    for (const host of HOSTS) {
      assert.deepEqual(await playlistNames(host, 'bob'), plus(listed[host], `${host} legacy`), host);
      const stored = await raw
        .collection('music_playlists')
        .findOne({ _id: `pl-legacy-${host} legacy` as never });
      assert.equal(stored?.tenantId, sites[host], host);
    }
  });

  it('shows each site what its own accounts play now, and a purge forgets the tenant’s', async () => {
    const music = server.app.get(MusicUserService);
    const onSite = async <T>(host: string, fn: () => Promise<T>) =>
      TenantContext.run((await server.app.get(TenantDirectory).byId(sites[host]))!, fn);
    for (const host of HOSTS) {
      const { id } = accounts[host].alice;
      await onSite(host, () =>
        music.scrobble(
          { id, name: 'alice' },
          [{ trackId: `tr-${host}`, albumId: 'al-x', at: new Date() }],
          false,
        ),
      );
    }
    for (const host of HOSTS) {
      const playing = await onSite(host, () => music.nowPlaying());
      assert.deepEqual(
        playing.map((entry) => [entry.userId, entry.trackId]),
        [[accounts[host].alice.id, `tr-${host}`]],
        host,
      );
    }
    await music.forgetSite(sites[A]);
    assert.deepEqual(await onSite(A, () => music.nowPlaying()), []);
    assert.equal((await onSite(B, () => music.nowPlaying())).length, 1);
    assert.equal((await onSite(DEFAULT, () => music.nowPlaying())).length, 1);
  });
});
