import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type TenantScope } from '../../src/core/tenancy/tenant.js';
import { scopeFacets, scopeRule } from '../../src/library/catalog/scope-rule.js';
import { build, scopedSnapshot } from '../../src/music/catalog/music-catalog.js';
import { type MusicAlbum, type MusicArtist, type MusicTrack } from '../../src/music/model/music.schema.js';

const filtered = (scope: Partial<TenantScope>): TenantScope => ({
  mode: 'filtered',
  kinds: [],
  genres: [],
  collections: [],
  ...scope,
});

describe("a tenant's scope rule", () => {
  it('admits everything in mode all, and in a filtered scope a listed kind, genre or picked id', () => {
    const anything = { id: 'x', kind: 'movie', genres: ['Drama'] };
    assert.equal(scopeRule({ ...filtered({}), mode: 'all' })(anything), true);
    assert.equal(scopeRule(filtered({}))(anything), false);
    assert.equal(scopeRule(filtered({ kinds: ['movie'] }))(anything), true);
    assert.equal(scopeRule(filtered({ kinds: ['album'] }))(anything), false);
    assert.equal(scopeRule(filtered({ collections: ['x'] }))(anything), true);
    assert.equal(scopeRule(filtered({ collections: ['y'] }))(anything), false);
  });

  it('compares genres as the catalog index does: without case or surrounding space', () => {
    const admits = scopeRule(filtered({ genres: [' sci-FI '] }));
    assert.equal(admits({ id: 'a', kind: 'anime', genres: ['Sci-Fi'] }), true);
    assert.equal(admits({ id: 'b', kind: 'anime', genres: ['Science'] }), false);
    assert.equal(admits({ id: 'c', kind: 'anime' }), false);
    // The index's scope set is the union of these facet sets (named as the index names them).
    assert.deepEqual(scopeFacets(filtered({ kinds: ['movie'], genres: [' sci-FI '] })), [
      'kind:movie',
      'genre:sci-fi',
    ]);
  });

  it('is made once per scope object, and an edited scope (a new object) gets a rule of its own', () => {
    const scope = filtered({ kinds: ['album'] });
    assert.equal(scopeRule(scope), scopeRule(scope));
    const edited: TenantScope = { ...scope, kinds: ['movie'] };
    assert.notEqual(scopeRule(edited), scopeRule(scope));
    assert.equal(scopeRule(edited)({ id: 'm', kind: 'movie' }), true);
    assert.equal(scopeRule(scope)({ id: 'm', kind: 'movie' }), false);
  });
});

describe("the music catalog's copy for a scoped site", () => {
  const track = (id: string, albumId: string, artistId: string, genres: string[]) =>
    ({ _id: id, albumId, artistId, title: id, artist: artistId, album: albumId, genres }) as MusicTrack;
  const album = (id: string, artistId: string, tracks: MusicTrack[]) =>
    ({
      _id: id,
      name: id,
      artistId,
      artist: artistId,
      genres: [...new Set(tracks.flatMap((t) => t.genres))],
      compilation: false,
      tracks,
      createdAt: new Date(),
      updatedAt: new Date(),
    }) as MusicAlbum;
  const artist = (id: string, albumIds: string[]) => ({ _id: id, name: id, albumIds }) as MusicArtist;

  it('holds the albums in scope, their tracks, the artists of those and genre counts from them', () => {
    const whole = build(
      7,
      [
        album('al-jazz', 'ar-trio', [track('tr-1', 'al-jazz', 'ar-trio', ['Jazz'])]),
        album('al-mix', 'ar-various', [
          track('tr-2', 'al-mix', 'ar-guest', ['Jazz']),
          track('tr-3', 'al-mix', 'ar-amps', ['Rock']),
        ]),
        album('al-rock', 'ar-amps', [track('tr-4', 'al-rock', 'ar-amps', ['Rock'])]),
      ],
      [
        artist('ar-trio', ['al-jazz']),
        artist('ar-various', ['al-mix']),
        artist('ar-guest', []),
        artist('ar-amps', ['al-rock']),
      ],
    );
    const view = scopedSnapshot(whole, scopeRule(filtered({ genres: ['jazz'] })));
    assert.deepEqual(
      view.albums.map((a) => a._id),
      ['al-jazz', 'al-mix'],
    );
    assert.deepEqual(view.tracks.map((t) => t._id).sort(), ['tr-1', 'tr-2', 'tr-3']);
    // The Rock album's artist stays, credited on a track of the mix, with none of its albums.
    assert.deepEqual(
      view.artists.map((a) => [a._id, a.albumIds]),
      [
        ['ar-amps', []],
        ['ar-guest', []],
        ['ar-trio', ['al-jazz']],
        ['ar-various', ['al-mix']],
      ],
    );
    assert.deepEqual(
      view.genres.map((g) => [g.name, g.albumCount, g.songCount]),
      [
        ['Jazz', 2, 2],
        ['Rock', 1, 1],
      ],
    );
    assert.equal(view.revision, 7);
    assert.equal(view.albumById.has('al-rock'), false);
    assert.equal(view.trackById.has('tr-4'), false);
    // The whole copy is left as it was.
    assert.equal(whole.albums.length, 3);
    assert.deepEqual(whole.artistById.get('ar-amps')?.albumIds, ['al-rock']);
  });
});
