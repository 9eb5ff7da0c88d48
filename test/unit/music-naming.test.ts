import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type AudioItemInfo } from '../../src/ingest/items/ingest-item.js';
import { groupAlbums } from '../../src/music/ingest/album-grouping.js';
import { albumId } from '../../src/music/model/music-ids.js';
import { parseLrc, splitGenres, trackFromPath } from '../../src/music/ingest/track-naming.js';

describe('a track named by its path when its tags say nothing', () => {
  it('reads number and title from the file, artist, album and year from the folder', () => {
    assert.deepEqual(trackFromPath('Lumen Quartet - Northern Lights (2019)/05 - Untagged Song.wav'), {
      title: 'Untagged Song',
      artist: 'Lumen Quartet',
      album: 'Northern Lights',
      track: 5,
      disc: undefined,
      year: 2019,
    });
  });

  it('reads Artist/Album/CD2/03. Title, and disc-track numbers like 2-07', () => {
    assert.deepEqual(trackFromPath('Ann Sun/Bright/CD2/03. Morning.mp3'), {
      title: 'Morning',
      artist: 'Ann Sun',
      album: 'Bright',
      track: 3,
      disc: 2,
    });
    const named = trackFromPath('Bright/2-07 Evening.flac');
    assert.deepEqual([named.disc, named.track, named.title, named.album], [2, 7, 'Evening', 'Bright']);
  });

  it('takes "Artist - Title" from a loose file', () => {
    const named = trackFromPath('01 Bob Sea - Waves.ogg');
    assert.deepEqual(
      [named.track, named.artist, named.title, named.album],
      [1, 'Bob Sea', 'Waves', undefined],
    );
  });
});

describe('genres and lyrics from tags', () => {
  it('splits genre lists and drops repeats', () => {
    assert.deepEqual(splitGenres(['Rock; Pop', 'rock/Jazz', 'Drum & Bass']), [
      'Rock',
      'Pop',
      'Jazz',
      'Drum & Bass',
    ]);
  });

  it('reads LRC as timed lines in order, and plain text as not synced', () => {
    assert.deepEqual(parseLrc('[ar:Someone]\n[00:02.50]second\n[00:01.5]first\n[01:00][01:05]twice'), [
      { start: 1500, value: 'first' },
      { start: 2500, value: 'second' },
      { start: 60000, value: 'twice' },
      { start: 65000, value: 'twice' },
    ]);
    assert.equal(parseLrc('just words\nno times'), undefined);
  });
});

describe('tracks grouped into albums', () => {
  const track = (
    artist: string,
    album: string,
    folder: string,
    extra: Partial<AudioItemInfo> = {},
  ): AudioItemInfo => ({
    title: 't',
    artists: [artist],
    artist,
    album,
    genres: [],
    duration: 1,
    suffix: 'mp3',
    contentType: 'audio/mpeg',
    compilation: false,
    musicBrainz: {},
    replayGain: {},
    folder,
    ...extra,
  });
  const group = (tracks: AudioItemInfo[]) =>
    groupAlbums(tracks, (t) => t).map((g) => [g.album, g.albumArtist, g.compilation, g.members.length]);

  it('makes one album of a folder with one artist', () => {
    assert.deepEqual(group([track('Ann', 'Blue', 'Ann - Blue'), track('Ann', 'Blue', 'Ann - Blue')]), [
      ['Blue', 'Ann', false, 2],
    ]);
  });

  it('makes a Various Artists compilation of a folder with several artists and no album artist', () => {
    assert.deepEqual(group([track('Ann', 'Hits', 'Hits'), track('Bob', 'Hits', 'Hits')]), [
      ['Hits', 'Various Artists', true, 2],
    ]);
  });

  it('follows the album artist tag across folders, and keeps same-named albums of other folders apart', () => {
    assert.deepEqual(
      group([
        track('Ann', 'Live', 'CD1', { albumArtist: 'Ann' }),
        track('Ann feat. Bob', 'Live', 'CD2', { albumArtist: 'Ann' }),
        track('Cy', 'Greatest', 'Cy'),
        track('Di', 'Greatest', 'Di'),
      ]),
      [
        ['Live', 'Ann', false, 2],
        ['Greatest', 'Cy', false, 1],
        ['Greatest', 'Di', false, 1],
      ],
    );
  });

  it('files an artist’s album with a guest on some tracks under the artist, not Various Artists', () => {
    assert.deepEqual(
      group([
        track('Artist', 'Solo', 'Solo'),
        track('artist ', 'Solo', 'Solo'),
        track('Artist feat. Guest', 'Solo', 'Solo'),
        track('Artist (ft. Other)', 'Solo', 'Solo'),
        track('ARTIST FEATURING Third', 'Solo', 'Solo'),
        track('Artist with Band', 'Solo', 'Solo'),
        track('Artist & Friend', 'Solo', 'Solo'),
      ]),
      [['Solo', 'Artist', false, 7]],
    );
    assert.deepEqual(
      group([track('Duo feat. Guest', 'Guests', 'Guests'), track('Duo ft. Other', 'Guests', 'Guests')]),
      [['Guests', 'Duo', false, 2]],
      'every track has a guest',
    );
  });

  it('keeps a duo’s own name, and a band named "with" something, whole', () => {
    assert.deepEqual(
      group([track('Simon & Garfunkel', 'Duo', 'Duo'), track('Simon & Garfunkel feat. Guest', 'Duo', 'Duo')]),
      [['Duo', 'Simon & Garfunkel', false, 2]],
    );
    assert.deepEqual(group([track('Man With Hat', 'Hat', 'Hat'), track('Man With Hat', 'Hat', 'Hat')]), [
      ['Hat', 'Man With Hat', false, 2],
    ]);
  });

  it('still makes a compilation of tracks whose first credited artists differ', () => {
    assert.deepEqual(
      group([
        track('Ann feat. Bob', 'Mixed', 'Mixed'),
        track('Bob feat. Ann', 'Mixed', 'Mixed'),
        track('Ann', 'Mixed', 'Mixed'),
      ]),
      [['Mixed', 'Various Artists', true, 3]],
    );
    assert.deepEqual(group([track('Ann', 'Near', 'Near'), track('Anna & Bob', 'Near', 'Near')]), [
      ['Near', 'Various Artists', true, 2],
    ]);
  });

  it('keeps an artist’s same-named untagged albums of two folders apart, each keyed by its folder', () => {
    const groups = groupAlbums(
      [
        track('Cy', 'Greatest Hits', 'Cy/Greatest Hits (1990)'),
        track('Cy', 'Greatest Hits', 'Cy/Greatest Hits (2010)'),
        track('Ann', 'Hits', 'Hits A'),
        track('Bob', 'Hits', 'Hits A'),
        track('Cy', 'Hits', 'Hits B'),
        track('Di', 'Hits', 'Hits B'),
        track('Di', 'Greatest Hits', 'Di'),
      ],
      (t) => t,
    );
    assert.deepEqual(
      groups.map((g) => [g.albumArtist, g.folder, g.id]),
      [
        ['Cy', 'Cy/Greatest Hits (1990)', albumId('Cy', 'Greatest Hits', 'Cy/Greatest Hits (1990)')],
        ['Cy', 'Cy/Greatest Hits (2010)', albumId('Cy', 'Greatest Hits', 'Cy/Greatest Hits (2010)')],
        ['Various Artists', 'Hits A', albumId('Various Artists', 'Hits', 'Hits A')],
        ['Various Artists', 'Hits B', albumId('Various Artists', 'Hits', 'Hits B')],
        ['Di', 'Di', albumId('Di', 'Greatest Hits')],
      ],
    );
    assert.equal(new Set(groups.map((g) => g.id)).size, 5);
  });

  it('makes one album of an untagged album’s disc folders (CD1, Disc 2), keyed by artist and name', () => {
    const groups = groupAlbums(
      [
        track('Ann', 'Live', 'Ann/Live/CD1'),
        track('Ann', 'Live', 'Ann/Live/Disc 2'),
        track('Ann feat. Bob', 'Live', 'Ann/Live/cd3'),
      ],
      (t) => t,
    );
    assert.deepEqual(
      groups.map((g) => [g.album, g.albumArtist, g.folder, g.id, g.members.length]),
      [['Live', 'Ann', 'Ann/Live', albumId('Ann', 'Live'), 3]],
    );
  });

  it('honours the compilation flag even with one artist', () => {
    assert.deepEqual(group([track('Ann', 'Mix', 'Mix', { compilation: true })]), [
      ['Mix', 'Various Artists', true, 1],
    ]);
  });
});
