import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Types } from 'mongoose';
import { SubsonicAPI } from 'subsonic-api';
import { MongoConnection } from '../../src/core/database/mongo-connection.js';
import { type AudioItemInfo, type IngestItem } from '../../src/ingest/items/ingest-item.js';
import { type ItemContext } from '../../src/ingest/processors/media-kind-processor.js';
import { type IngestTask } from '../../src/ingest/schemas/ingest-task.schema.js';
import { LibraryService } from '../../src/library/library.service.js';
import { MusicCatalog } from '../../src/music/catalog/music-catalog.js';
import { albumId, artistId, trackId } from '../../src/music/model/music-ids.js';
import { AudioProcessor } from '../../src/music/ingest/audio.processor.js';
import { MusicRepository } from '../../src/music/model/music.repository.js';
import { type MusicTrack } from '../../src/music/model/music.schema.js';
import { startTestDatabase, type TestDatabase } from '../support/database.js';
import { eventually } from '../support/eventually.js';
import { signInNewUser, startInProcessApp, type InProcessApp } from '../support/in-process-app.js';
import { createMediaFile } from '../support/library-fixtures.js';

const ARTIST = 'Refiling Ensemble';

/** A track of `album` stored as `fileId`, as ingest files one. */
function track(album: string, fileId: Types.ObjectId, number: number, title: string): MusicTrack {
  const id = String(fileId);
  return {
    _id: trackId(id),
    fileId: id,
    albumId: albumId(ARTIST, album),
    artistId: artistId(ARTIST),
    albumArtistId: artistId(ARTIST),
    title,
    artists: [ARTIST],
    artist: ARTIST,
    album,
    track: number,
    disc: 1,
    genres: ['Ambient'],
    duration: 60,
    suffix: 'flac',
    contentType: 'audio/flac',
    compilation: false,
    musicBrainz: {},
    replayGain: {},
    size: 1000,
    path: `${ARTIST}/${album}/${String(number).padStart(2, '0')} ${title}.flac`,
    createdAt: new Date(),
  };
}

describe('music: filing an album again lands on the same records', () => {
  let db: TestDatabase;
  let server: InProcessApp;
  let music: MusicRepository;

  const file = (album: string, tracks: MusicTrack[]) =>
    music.fileAlbum(
      {
        _id: albumId(ARTIST, album),
        name: album,
        artistId: artistId(ARTIST),
        artist: ARTIST,
        genres: [],
        compilation: false,
      },
      tracks,
    );
  const files = (count: number, rip: string) =>
    Promise.all(Array.from({ length: count }, (_, n) => createMediaFile(server.app, `${rip}-${n + 1}.flac`)));
  const trackIds = async (album: string) =>
    (await music.findAlbum(albumId(ARTIST, album)))?.tracks.map((t) => t._id);

  before(async () => {
    db = await startTestDatabase();
    server = await startInProcessApp({ MONGODB_URI: db.uri, ROLE: 'manager' });
    music = server.app.get(MusicRepository);
  });
  after(async () => {
    await server?.close();
    await db?.stop();
  });

  it('a retagged copy of an album replaces its tracks, and the files they left are deleted', async () => {
    const titles = Array.from({ length: 12 }, (_, n) => `Movement ${n + 1}`);
    const first = await files(12, 'first');
    await file(
      'Twelve',
      first.map((id, n) => track('Twelve', id, n + 1, titles[n])),
    );
    const library = server.app.get(LibraryService);
    const refs = (await library.findFiles(first)).flatMap((f) => f.storage.parts.map((part) => part.ref));
    // Another rip: other bytes, so other files and track ids; titles differ in case and spacing only.
    const second = await files(12, 'second');
    await file(
      'Twelve',
      second.map((id, n) => track('Twelve', id, n + 1, ` ${titles[n].toUpperCase()}`)),
    );

    assert.deepEqual(
      await trackIds('Twelve'),
      second.map((id) => trackId(String(id))),
    );
    for (const id of first) assert.equal(await music.findTrack(trackId(String(id))), null);
    assert.deepEqual(await library.findFiles(first), [], "the first rip's files are gone");
    assert.equal((await library.findFiles(second)).length, 12);
    const queued = await server.app
      .get(MongoConnection)
      .connection.collection('pending_deletions')
      .find({ ref: { $in: refs } })
      .toArray();
    assert.equal(queued.length, 12, 'their bytes are queued for deletion');

    // Filing the same copy once more changes nothing.
    await file(
      'Twelve',
      second.map((id, n) => track('Twelve', id, n + 1, titles[n])),
    );
    assert.equal((await trackIds('Twelve'))?.length, 12);
    assert.equal((await library.findFiles(second)).length, 12);
  });

  it('a track filed under another album leaves its first one; an album left empty goes', async () => {
    const [wander, stay] = await files(2, 'moving');
    await file('Old Home', [track('Old Home', wander, 1, 'Wander'), track('Old Home', stay, 2, 'Stay')]);
    // The same bytes (so the same track) filed under another album: tags fixed, or a second pack.
    await file('New Home', [track('New Home', wander, 1, 'Wander')]);
    assert.deepEqual(await trackIds('Old Home'), [trackId(String(stay))]);
    assert.deepEqual(await trackIds('New Home'), [trackId(String(wander))]);
    assert.equal((await music.findTrack(trackId(String(wander))))?.albumId, albumId(ARTIST, 'New Home'));
    assert.equal((await server.app.get(LibraryService).findFiles([wander])).length, 1, 'its file is kept');

    await file('New Home', [track('New Home', stay, 2, 'Stay')]);
    assert.equal(await music.findAlbum(albumId(ARTIST, 'Old Home')), null);
    const artist = await music.findArtist(artistId(ARTIST));
    assert.ok(artist?.albumIds.includes(albumId(ARTIST, 'New Home')));
    assert.ok(!artist?.albumIds.includes(albumId(ARTIST, 'Old Home')), 'the artist no longer lists it');
  });

  it('search3 finds a re-filed track by its new words, and no longer by its old ones', async () => {
    const listener = await signInNewUser(server, 'refiling-listener', 'viewer');
    const password = String(
      (await listener.post('/api/auth/app-passwords', { label: 'player' })).body.password,
    );
    const subsonic = new SubsonicAPI({ url: server.url, auth: { username: 'refiling-listener', password } });
    const songs = async (query: string) =>
      (
        ((await subsonic.search3({ query })) as { searchResult3: { song?: { title: string }[] } })
          .searchResult3.song ?? []
      ).map((song) => song.title);
    const catalog = server.app.get(MusicCatalog);
    const [bytes] = await files(1, 'retagged');
    const id = trackId(String(bytes));

    await file('Winter Suite', [track('Winter Suite', bytes, 1, 'Frostbite')]);
    await eventually(
      () => catalog.current(),
      (library) => library.trackById.get(id)?.title === 'Frostbite',
      { what: 'the first filing listed' },
    );
    assert.deepEqual(await songs('frostbite'), ['Frostbite']);

    // The same bytes retagged: another title, under another album.
    await file('Summer Suite', [track('Summer Suite', bytes, 1, 'Heatwave')]);
    await eventually(
      () => catalog.current(),
      (library) => library.trackById.get(id)?.title === 'Heatwave',
      { what: 'the second filing listed' },
    );
    assert.deepEqual(await songs('heatwave'), ['Heatwave'], 'found by its new title');
    assert.deepEqual(await songs('summer suite'), ['Heatwave'], 'found by its new album');
    assert.deepEqual(await songs('frostbite'), [], 'not by its old title');
    assert.deepEqual(await songs('winter'), [], 'not by its old album');
  });
});

/** A stored track of an upload, as processing describes it: `name` is its path in the pack. */
interface PackTrack {
  name: string;
  artist: string;
  album: string;
  track: number;
  albumArtist?: string;
}

/** An upload's stored audio items as the pipeline hands them to the music processor to file. */
function storedBatch(taskId: string, tracks: readonly PackTrack[]): ItemContext[] {
  const items: IngestItem[] = tracks.map(({ name, artist, album, track, albumArtist }) => {
    const audio: AudioItemInfo = {
      title: name.slice(name.lastIndexOf('/') + 1),
      artists: [artist],
      artist,
      albumArtist,
      album,
      track,
      genres: [],
      duration: 60,
      suffix: 'mp3',
      contentType: 'audio/mpeg',
      compilation: false,
      musicBrainz: {},
      replayGain: {},
      folder: name.includes('/') ? name.slice(0, name.lastIndexOf('/')) : '',
    };
    return {
      path: name,
      name,
      kind: 'audio',
      size: 1000,
      state: 'stored',
      fileId: new Types.ObjectId().toHexString(),
      audio,
    };
  });
  return items.map((item, index) => ({
    task: { _id: taskId } as IngestTask,
    index,
    item,
    path: `/sandbox/${item.path}`,
    signal: new AbortController().signal,
    record: (patch) => Promise.resolve(Object.assign(item, patch)),
    items: () => items,
  }));
}

describe('music: an upload’s tracks filed into albums', () => {
  let db: TestDatabase;
  let server: InProcessApp;
  let music: MusicRepository;
  let processor: AudioProcessor;

  const albumOf = async (artist: string, album: string) =>
    (await music.findAlbum(albumId(artist, album)))?.tracks.map((t) => [t.title, t.artist, t.albumArtist]);

  before(async () => {
    db = await startTestDatabase();
    server = await startInProcessApp({ MONGODB_URI: db.uri, ROLE: 'manager' });
    music = server.app.get(MusicRepository);
    // Filing only reads the items and writes music records: nothing is stored here.
    processor = new AudioProcessor(undefined as never, music);
  });
  after(async () => {
    await server?.close();
    await db?.stop();
  });

  it('files an untagged album with a guest on one track under its artist, not Various Artists', async () => {
    await processor.file(
      storedBatch('guest-task', [
        { name: 'Guest Star - Duets/01 - One.mp3', artist: 'Guest Star', album: 'Duets', track: 1 },
        { name: 'Guest Star - Duets/02 - Two.mp3', artist: 'Guest Star', album: 'Duets', track: 2 },
        {
          name: 'Guest Star - Duets/03 - Three.mp3',
          artist: 'Guest Star feat. Pal',
          album: 'Duets',
          track: 3,
        },
      ]),
    );
    assert.deepEqual(await albumOf('Guest Star', 'Duets'), [
      ['01 - One.mp3', 'Guest Star', 'Guest Star'],
      ['02 - Two.mp3', 'Guest Star', 'Guest Star'],
      ['03 - Three.mp3', 'Guest Star feat. Pal', 'Guest Star'],
    ]);
    assert.equal((await music.findAlbum(albumId('Guest Star', 'Duets')))?.compilation, false);
    assert.equal(await music.findAlbum(albumId('Various Artists', 'Duets')), null);
  });

  it('keeps same-named untagged albums of other folders apart, and a two-disc album together', async () => {
    const track = (folder: string, artist: string, album: string, title: string): PackTrack => ({
      name: `${folder}/01 - ${title}.mp3`,
      artist,
      album,
      track: 1,
    });
    // One upload: one artist's "Greatest Hits" in two folders, and an album in two disc folders.
    const first = storedBatch('hits-task', [
      track('Cy/Greatest Hits (1990)', 'Cy', 'Greatest Hits', 'Early'),
      track('Cy/Greatest Hits (2010)', 'Cy', 'Greatest Hits', 'Late'),
      track('Cy/Live/CD1', 'Cy', 'Live', 'Opening'),
      track('Cy/Live/CD2', 'Cy', 'Live', 'Encore'),
    ]);
    await processor.file(first);
    // Another upload: another artist's album in a folder named like the first upload's.
    await processor.file(
      storedBatch('other-task', [track('Cy/Greatest Hits (1990)', 'Di', 'Greatest Hits', 'Other')]),
    );

    const albumsOf = async (artist: string) => {
      const ids = (await music.findArtist(artistId(artist)))?.albumIds ?? [];
      const albums = await Promise.all(ids.map((id) => music.findAlbum(id)));
      return albums
        .map((album) => [album?.name, album?.artist, album?.tracks.map((t) => t.title).join(', ')])
        .sort((a, b) => String(a[2]).localeCompare(String(b[2])));
    };
    assert.deepEqual(await albumsOf('Cy'), [
      ['Greatest Hits', 'Cy', '01 - Early.mp3'],
      ['Greatest Hits', 'Cy', '01 - Late.mp3'],
      ['Live', 'Cy', '01 - Opening.mp3, 01 - Encore.mp3'],
    ]);
    assert.deepEqual(await albumsOf('Di'), [['Greatest Hits', 'Di', '01 - Other.mp3']]);
    assert.ok(await music.findAlbum(albumId('Cy', 'Live')), 'an album alone under its name keeps its id');
  });
});
