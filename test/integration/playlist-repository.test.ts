import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { RedisMutex } from '../../src/core/redis/redis-mutex.js';
import { PlaylistRepository } from '../../src/music/model/playlist.repository.js';
import { type MusicPlaylist } from '../../src/music/model/music.schema.js';
import { startTestDatabase, type TestDatabase } from '../support/database.js';
import { startInProcessApp, type InProcessApp } from '../support/in-process-app.js';

describe('playlists: a deletion and an edit at once', () => {
  let db: TestDatabase;
  let server: InProcessApp;

  before(async () => {
    db = await startTestDatabase();
    server = await startInProcessApp({ MONGODB_URI: db.uri, ROLE: 'manager' });
  });
  after(async () => {
    await server?.close();
    await db?.stop();
  });

  it('an edit under way when a deletion comes does not write the playlist back after it', async () => {
    const playlists = server.app.get(PlaylistRepository);
    const now = new Date();
    const playlist: MusicPlaylist = {
      _id: 'pl-race',
      owner: 'owner-1',
      ownerName: 'owner',
      tenantId: 'default',
      name: 'Race',
      public: false,
      trackIds: [],
      createdAt: now,
      updatedAt: now,
    };
    await playlists.save(playlist);
    let deleting: Promise<void> | undefined;
    // What `edit` does, step by step, with the deletion asked for between its read and its write.
    await server.app.get(RedisMutex).withLock('music-playlist:pl-race', async () => {
      const read = (await playlists.find('pl-race'))!;
      deleting = playlists.delete('pl-race');
      await new Promise((resolve) => setTimeout(resolve, 300)); // an unlocked deletion is done by now
      read.trackIds = ['tr-1'];
      await playlists.save(read);
    });
    await deleting;
    assert.equal(await playlists.find('pl-race'), null, 'deleted, and still deleted');
    assert.deepEqual(
      (await playlists.listed('default', 'owner-1')).map((p) => p._id),
      [],
      'nor listed for its owner',
    );
  });
});
