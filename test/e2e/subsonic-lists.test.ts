import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SubsonicAPI } from 'subsonic-api';
import { MongoConnection } from '../../src/core/database/mongo-connection.js';
import { MusicRepository } from '../../src/music/model/music.repository.js';
import { PLAYLIST_LIMITS } from '../../src/music/user/music-user.service.js';
import { startTestDatabase, type TestDatabase } from '../support/database.js';
import { type InProcessApp, signInNewUser, startInProcessApp } from '../support/in-process-app.js';
import { eventually } from '../support/eventually.js';
import { fileOneTrackAlbum } from '../support/music-records.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** An album of one track by `artist`, as records only (nothing streams it here). */
async function fileAlbum(music: MusicRepository, artist: string): Promise<void> {
  await fileOneTrackAlbum(music, { artist, album: `${artist} Greatest`, title: `${artist} Song`, track: 1 });
}

describe('Subsonic lists: the artist index, and playlists per account', () => {
  let db: TestDatabase;
  let server: InProcessApp;
  let client: SubsonicAPI;

  before(async () => {
    db = await startTestDatabase();
    server = await startInProcessApp({ MONGODB_URI: db.uri, ROLE: 'manager' });
    const music = server.app.get(MusicRepository);
    for (const artist of ['The Beatles', 'Coldplay', 'ABBA', '2Pac', 'Blur', 'the Zombies']) {
      await fileAlbum(music, artist);
    }
    const listener = await signInNewUser(server, 'listener', 'viewer');
    const made = await listener.post('/api/auth/app-passwords', { label: 'Symfonium' });
    client = new SubsonicAPI({
      url: server.url,
      auth: { username: 'listener', password: String(made.body.password) },
    });
    // Managers follow filings through the music change log: wait until this one lists all six.
    await eventually(
      async () => ((await client.getArtists()) as Json).artists.index as Json[],
      (index) => index.flatMap((group) => group.artist).length === 6,
      { what: 'the six artists in the catalog' },
    );
  });
  after(async () => {
    await server?.close();
    await db?.stop();
  });

  it('indexes artists by their name without its article, letters in order and "#" last (getIndexes, getArtists)', async () => {
    const expected = [
      { name: 'A', artist: ['ABBA'] },
      { name: 'B', artist: ['The Beatles', 'Blur'] },
      { name: 'C', artist: ['Coldplay'] },
      { name: 'Z', artist: ['the Zombies'] },
      { name: '#', artist: ['2Pac'] },
    ];
    const shown = (index: Json[]) =>
      index.map((group) => ({ name: group.name, artist: group.artist.map((a: Json) => a.name) }));
    assert.deepEqual(shown(((await client.getIndexes()) as Json).indexes.index), expected);
    assert.deepEqual(shown(((await client.getArtists()) as Json).artists.index), expected);
  });

  it(`refuses an account's playlist past ${PLAYLIST_LIMITS.perAccount} (error 0) until it deletes one`, async () => {
    const first = ((await client.createPlaylist({ name: 'first' } as never)) as Json).playlist;
    // The account's list filled up to the cap with playlists that have gone (readers skip those).
    const lists = server.app
      .get(MongoConnection)
      .connection.collection<{ _id: string; ids: string[] }>('music_playlist_lists');
    const [own] = (await lists.find({ ids: first.id }).toArray()).filter((l) => l._id.startsWith('owner:'));
    assert.ok(own, 'the account lists its playlist');
    const gone = Array.from({ length: PLAYLIST_LIMITS.perAccount - 2 }, (_, n) => `pl-gone-${n}`);
    await lists.updateOne({ _id: own._id }, { $set: { ids: [first.id, ...gone] } });

    const last = ((await client.createPlaylist({ name: 'last' } as never)) as Json).playlist;
    assert.ok(last?.id, 'the last one the cap allows');
    const refused = (await client.createPlaylist({ name: 'one too many' } as never)) as Json;
    assert.deepEqual([refused.status, refused.error?.code], ['failed', 0], JSON.stringify(refused));
    assert.match(
      String(refused.error.message),
      new RegExp(`at most ${PLAYLIST_LIMITS.perAccount} playlists`),
    );
    assert.deepEqual(
      ((await client.getPlaylists()) as Json).playlists.playlist.map((p: Json) => p.name),
      ['first', 'last'],
    );

    await client.deletePlaylist({ id: first.id });
    const again = (await client.createPlaylist({ name: 'again' } as never)) as Json;
    assert.equal(again.status, 'ok', JSON.stringify(again));
  });
});
