import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type IngestItem } from '../../src/ingest/items/ingest-item.js';
import { pathInSource } from '../../src/ingest/items/path-in-source.js';
import { nameVideo } from '../../src/ingest/processors/video-naming.js';

/** The fields that decide where a video is filed. */
function placed(path: string, hint?: string, videos = 12) {
  const { title, year, kind, season, episodes } = nameVideo(path, hint, videos);
  return { title, year, kind, season, episodes };
}

describe('video naming: a file, its folders, the download and the hint', () => {
  it('takes the season from the folder when the file names only its episode', () => {
    assert.deepEqual(placed('Show S02/Show - 01.mkv'), {
      title: 'Show',
      year: undefined,
      kind: 'series',
      season: 2,
      episodes: [1],
    });
    assert.equal(placed('Show.S02.1080p.WEB/Show - 07.mkv').season, 2);
    assert.equal(placed('Show/Season 3/Show - 07.mkv').season, 3);
    assert.equal(placed('Show/S04/Show - 07.mkv').season, 4);
  });

  it('asks the innermost folder first', () => {
    assert.equal(placed('Show.S01-S03.1080p/Season 2/Show - 01.mkv').season, 2);
    assert.equal(placed('Show S01/Show S03/Show - 01.mkv').season, 3);
  });

  it('keeps the season the file names over its folders and the hint', () => {
    assert.deepEqual(placed('Show S02/Show.S01E05.mkv', 'Show S03'), {
      title: 'Show',
      year: undefined,
      kind: 'series',
      season: 1,
      episodes: [5],
    });
  });

  it('takes the show and the season from the folders when the file names neither', () => {
    assert.deepEqual(placed('Show (2019)/Season 2/Episode 01.mkv'), {
      title: 'Show',
      year: 2019,
      kind: 'series',
      season: 2,
      episodes: [1],
    });
    assert.deepEqual(placed('Show S02/E03 - The Storm.mkv'), {
      title: 'Show',
      year: undefined,
      kind: 'series',
      season: 2,
      episodes: [3],
    });
    assert.equal(placed('Show S02/02. The Start.mkv').title, 'Show');
  });

  it("keeps a show's own title that starts with a number", () => {
    assert.equal(placed('Extras/30 Rock - 01.mkv').title, '30 Rock');
  });

  it('keeps the season of a pack hint and drops only its episode', () => {
    assert.deepEqual(placed('Show - 01.mkv', 'Show S02'), {
      title: 'Show',
      year: undefined,
      kind: 'series',
      season: 2,
      episodes: [1],
    });
    assert.deepEqual(placed('Show - 04.mkv', 'Show S02E09'), {
      title: 'Show',
      year: undefined,
      kind: 'series',
      season: 2,
      episodes: [4],
    });
  });

  it('takes only the season from a hint that names no show', () => {
    assert.deepEqual(placed('Show - 01.mkv', 'S02'), {
      title: 'Show',
      year: undefined,
      kind: 'series',
      season: 2,
      episodes: [1],
    });
  });

  it('asks the folders before the hint', () => {
    assert.equal(placed('Show S03/Show - 01.mkv', 'Show S02').season, 3);
  });

  it("names the show after the hint's title, even over the folders", () => {
    assert.equal(placed('Wrong Name S02/Show - 01.mkv', 'Right Name').title, 'Right Name');
    assert.equal(placed('Wrong Name S02/Show - 01.mkv', 'Right Name').season, 2);
  });

  it('applies the whole hint to a single video, its episode included', () => {
    assert.deepEqual(placed('Show S03/clip.mkv', 'Show S02E09', 1), {
      title: 'Show',
      year: undefined,
      kind: 'series',
      season: 2,
      episodes: [9],
    });
    assert.equal(placed('Show S03/Show - 01.mkv', 'Show', 1).season, 3);
  });

  it('leaves absolute-numbered anime without a season when nothing around it names one', () => {
    assert.deepEqual(placed('[Group] Show (2019) [1080p]/[Group] Show - 13 [1080p].mkv'), {
      title: 'Show',
      year: undefined,
      kind: 'anime',
      season: undefined,
      episodes: [13],
    });
  });

  it('gives a movie no season from its folder', () => {
    assert.deepEqual(placed('Show S02/Show.The.Movie.2020.1080p.mkv'), {
      title: 'Show The Movie',
      year: 2020,
      kind: 'movie',
      season: undefined,
      episodes: [],
    });
  });
});

describe("a pack item's path in its source", () => {
  const item = (name: string) => ({ name }) as IngestItem;

  it("puts a torrent's folder or an archive's name (without its extension) in front", () => {
    assert.equal(pathInSource(item('Show - 01.mkv'), 'Show S02'), 'Show S02/Show - 01.mkv');
    assert.equal(pathInSource(item('Show - 01.mkv'), 'Show.S02.1080p.zip'), 'Show.S02.1080p/Show - 01.mkv');
  });

  it('leaves a single download, or a path that already starts with it, as it is', () => {
    assert.equal(pathInSource(item('Show - 01.mkv'), 'Show - 01.mkv'), 'Show - 01.mkv');
    assert.equal(pathInSource(item('Show S02/Show - 01.mkv'), 'Show S02'), 'Show S02/Show - 01.mkv');
    assert.equal(pathInSource(item('Show - 01.mkv'), undefined), 'Show - 01.mkv');
  });
});
