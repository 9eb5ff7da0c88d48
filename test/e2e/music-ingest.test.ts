import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Types } from 'mongoose';
import sharp from 'sharp';
import { MongoConnection } from '../../src/core/database/mongo-connection.js';
import { MEDIA_STORE, type MediaStore } from '../../src/core/storage/media-store.js';
import { LibraryService } from '../../src/library/library.service.js';
import { MusicCatalog } from '../../src/music/catalog/music-catalog.js';
import { albumId, artistId } from '../../src/music/model/music-ids.js';
import { MusicRepository } from '../../src/music/model/music.repository.js';
import { startTestDatabase, type TestDatabase } from '../support/database.js';
import { type TestClient } from '../support/http.js';
import { type InProcessApp, signInAdmin, startInProcessApp } from '../support/in-process-app.js';
import { albumPackEntries } from '../support/music.js';
import { ingestLink, startLinkServer } from '../support/link-server.js';
import { makeZip } from '../support/zip.js';

describe('Music ingest: an album pack becomes artists, albums and tracks', () => {
  let db: TestDatabase;
  let server: InProcessApp;
  let admin: TestClient;
  let files: Awaited<ReturnType<typeof startLinkServer>>;
  let task: Record<string, unknown>;
  let music: MusicRepository;

  before(async () => {
    db = await startTestDatabase();
    files = await startLinkServer();
    server = await startInProcessApp({
      MONGODB_URI: db.uri,
      ROLE: 'all',
      INGEST_ALLOW_HOSTS: `127.0.0.1:${files.port}`,
    });
    admin = await signInAdmin(server);
    music = server.app.get(MusicRepository);
    task = await ingestLink(admin, files.url('Music pack.zip', makeZip(await albumPackEntries())), {
      timeoutMs: 120000,
      intervalMs: 250,
    });
  });
  after(async () => {
    await server?.close();
    await files?.close();
    await db?.stop();
  });

  it('ingests every decodable track and fails the undecodable one with ffmpeg’s reason', () => {
    assert.equal(task.state, 'done', String(task.error));
    const items = task.items as { name: string; kind: string; state: string; error?: string }[];
    const byName = new Map(items.map((item) => [item.name.slice(item.name.lastIndexOf('/') + 1), item]));
    for (const name of [
      '01 - Aurora.flac',
      '02 - Polar Night.mp3',
      '03 - Borealis.ogg',
      '05 - Untagged Song.wav',
      '01 - Sun.opus',
      '02 - Sea.m4a',
    ]) {
      assert.deepEqual([byName.get(name)?.kind, byName.get(name)?.state], ['audio', 'done'], name);
    }
    const broken = byName.get('04 - Broken.flac')!;
    assert.equal(broken.state, 'failed');
    assert.match(broken.error ?? '', /^ffmpeg cannot decode it: /);
  });

  it('files the tagged tracks and the untagged one (named by its file and folder) as one album in order', async () => {
    const album = await music.findAlbum(albumId('Lumen Quartet', 'Northern Lights'));
    assert.ok(album, 'the album exists under its artist');
    assert.equal(album.name, 'Northern Lights');
    assert.equal(album.artist, 'Lumen Quartet');
    assert.equal(album.year, 2019);
    assert.equal(album.compilation, false);
    assert.deepEqual(album.genres, ['Ambient', 'Electronic']);
    assert.deepEqual(
      album.tracks.map((track) => [track.track, track.title, track.artist, track.suffix]),
      [
        [1, 'Aurora', 'Lumen Quartet', 'flac'],
        [2, 'Polar Night', 'Lumen Quartet', 'mp3'],
        [3, 'Borealis', 'Lumen Quartet', 'ogg'],
        [5, 'Untagged Song', 'Lumen Quartet', 'wav'],
      ],
    );
    const aurora = album.tracks[0];
    assert.equal(aurora.duration, 3);
    assert.equal(aurora.sampleRate, 44100);
    assert.equal(aurora.contentType, 'audio/flac');
    const artist = await music.findArtist(artistId('Lumen Quartet'));
    assert.deepEqual(artist?.albumIds, [album._id]);
  });

  it('keeps synced and plain lyrics', async () => {
    const album = (await music.findAlbum(albumId('Lumen Quartet', 'Northern Lights')))!;
    assert.deepEqual(album.tracks[0].lyrics?.synced, [
      { start: 500, value: 'First light' },
      { start: 1500, value: 'Over the ice' },
    ]);
    assert.equal(album.tracks[1].lyrics?.plain, 'Dark all day');
  });

  it('stores the pack’s cover.jpg, resized, as the album’s cover', async () => {
    const album = (await music.findAlbum(albumId('Lumen Quartet', 'Northern Lights')))!;
    assert.ok(album.coverFileId, 'a cover');
    const file = await server.app.get(LibraryService).requireFile(new Types.ObjectId(album.coverFileId));
    const store = server.app.get<MediaStore>(MEDIA_STORE);
    const chunks: Buffer[] = [];
    for await (const chunk of store.read(file.storage.parts, 0, file.size - 1)) chunks.push(chunk as Buffer);
    const meta = await sharp(Buffer.concat(chunks)).metadata();
    assert.deepEqual([meta.format, meta.width, meta.height], ['jpeg', 1200, 1200]);
  });

  it('files a compilation under Various Artists, each track keeping its own artist', async () => {
    const album = await music.findAlbum(albumId('Various Artists', 'Summer Hits'));
    assert.ok(album, 'a Various Artists album');
    assert.equal(album.compilation, true);
    assert.deepEqual(
      album.tracks.map((track) => [track.title, track.artist, track.artistId]),
      [
        ['Sun', 'Ann Sun', artistId('Ann Sun')],
        ['Sea', 'Bob Sea', artistId('Bob Sea')],
      ],
    );
    assert.ok(await music.findArtist(artistId('Ann Sun')), 'track artists exist as artists');
  });

  it('lets a manager that starts take the library from the Redis checkpoint and the changes after it', async () => {
    // An album written behind the change list's back: a full load would list it, the checkpoint does not.
    await server.app
      .get(MongoConnection)
      .connection.collection('music_albums')
      .insertOne({
        _id: 'al-00000000000000000000',
        name: 'Stray',
        artistId: 'ar-x',
        artist: 'x',
        genres: [],
        tracks: [],
      } as never);
    const second = await startInProcessApp({
      MONGODB_URI: db.uri,
      ROLE: 'manager',
      REDIS_PREFIX: server.config.redis.prefix,
    });
    try {
      const library = await second.app.get(MusicCatalog).current();
      assert.deepEqual(
        library.albums.map((album) => album.name),
        ['Northern Lights', 'Summer Hits'],
      );
      assert.equal(library.tracks.length, 6);
    } finally {
      await second.close();
    }
  });
});
