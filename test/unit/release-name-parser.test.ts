import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseReleaseName } from '../../src/library/release-name/release-name.parser.js';
import { PROJECT_ROOT } from '../support/paths.js';

interface Expected {
  name: string;
  title: string;
  year: number | null;
  kind: string;
  season: number | null;
  episodes: number[];
  resolution: string | null;
  source: string | null;
  codec: string | null;
}

const FIELDS = ['title', 'year', 'kind', 'season', 'episodes', 'resolution', 'source', 'codec'] as const;
const REQUIRED_ACCURACY = 0.95;

describe('release-name parser', () => {
  it(`gets at least ${REQUIRED_ACCURACY * 100}% of fields right across the fixture`, () => {
    const fixture = JSON.parse(
      readFileSync(join(PROJECT_ROOT, 'test/fixtures/release-names.json'), 'utf8'),
    ) as Expected[];
    assert.ok(fixture.length >= 150, `fixture has only ${fixture.length} names`);
    let right = 0;
    const misses: string[] = [];
    for (const expected of fixture) {
      const parsed = parseReleaseName(expected.name);
      const actual = {
        title: parsed.title,
        year: parsed.year ?? null,
        kind: parsed.kind,
        season: parsed.season ?? null,
        episodes: parsed.episodes,
        resolution: parsed.resolution ?? null,
        source: parsed.source ?? null,
        codec: parsed.codec ?? null,
      };
      for (const field of FIELDS) {
        if (JSON.stringify(actual[field]) === JSON.stringify(expected[field])) right++;
        else
          misses.push(
            `${field}: ${JSON.stringify(actual[field])} ≠ ${JSON.stringify(expected[field])}  in ${expected.name}`,
          );
      }
    }
    const total = fixture.length * FIELDS.length;
    const accuracy = right / total;
    console.log(
      `release-name parser: ${right}/${total} fields right (${(accuracy * 100).toFixed(1)}%) over ${fixture.length} names`,
    );
    if (misses.length > 0) console.log(`misses:\n  ${misses.join('\n  ')}`);
    assert.ok(
      accuracy >= REQUIRED_ACCURACY,
      `accuracy ${(accuracy * 100).toFixed(1)}% is below ${REQUIRED_ACCURACY * 100}%`,
    );
  });

  it('reads the common episode notations', () => {
    assert.deepEqual(pick(parseReleaseName('Show.Name.S02E05.720p.mkv')), {
      season: 2,
      episodes: [5],
      kind: 'series',
    });
    assert.deepEqual(pick(parseReleaseName('Show Name 3x07 HDTV')), {
      season: 3,
      episodes: [7],
      kind: 'series',
    });
    assert.deepEqual(pick(parseReleaseName('Show.S01E01-E03.1080p')), {
      season: 1,
      episodes: [1, 2, 3],
      kind: 'series',
    });
    assert.deepEqual(pick(parseReleaseName('Show.S00E02.Special')), {
      season: 0,
      episodes: [2],
      kind: 'series',
    });
    assert.deepEqual(pick(parseReleaseName('[Group] Some Anime - 12 [1080p].mkv')), {
      season: undefined,
      episodes: [12],
      kind: 'anime',
    });
    assert.deepEqual(pick(parseReleaseName('Some.Movie.2010.1080p.BluRay.x264')), {
      season: undefined,
      episodes: [],
      kind: 'movie',
    });
  });

  it('lets a manual hint override the parse', () => {
    const parsed = parseReleaseName('random_upload_final.mp4', 'The Office S02E03');
    assert.equal(parsed.title, 'The Office');
    assert.deepEqual(pick(parsed), { season: 2, episodes: [3], kind: 'series' });
  });

  it('keeps the file’s episode numbers when the hint names only the title', () => {
    const parsed = parseReleaseName('[Subs] Wrong Name - 05 [720p].mkv', 'Frieren');
    assert.equal(parsed.title, 'Frieren');
    assert.deepEqual(parsed.episodes, [5]);
    assert.equal(parsed.kind, 'anime');
    assert.equal(parsed.resolution, '720p');
  });
});

function pick(parsed: ReturnType<typeof parseReleaseName>) {
  return { season: parsed.season, episodes: parsed.episodes, kind: parsed.kind };
}
