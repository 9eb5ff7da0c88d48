import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Types } from 'mongoose';
import { AppError } from '../../src/core/errors/app-error.js';
import { type MediaFile } from '../../src/library/schemas/media-file.schema.js';
import { parseExtra, stripJson } from '../../src/site/stremio/stremio-extra.js';
import { episodeVideoId, parseVideoId, titleMetaId } from '../../src/site/stremio/stremio-ids.js';
import { chooseCatalogs, formatAddonKey, parseAddonKey } from '../../src/site/stremio/stremio-key.js';
import { addonLinks } from '../../src/site/stremio/stremio-links.js';
import { byQuality, iso6392, isWebReady, toStream } from '../../src/site/stremio/stremio-streams.js';
import { assertStream, assertSubtitle } from '../support/stremio-shapes.js';

const PASSWORD = `svp_${'0123456789abcdef01234567'}${'A'.repeat(43)}`;

function file(overrides: Partial<MediaFile> = {}): MediaFile {
  return {
    _id: new Types.ObjectId(),
    storage: { kind: 'local', parts: [{ ref: 'media/x', size: 1_500_000_000 }] },
    size: 1_500_000_000,
    mime: 'video/x-matroska',
    fileName: 'Harbour.Watch.S01E01.1080p.mkv',
    streams: {
      video: [{ index: 0, codec: 'h264', width: 1920, height: 1080 }],
      audio: [
        { index: 1, codec: 'aac', language: 'eng' },
        { index: 2, codec: 'ac3', language: 'ja' },
      ],
      subtitles: [
        { index: 3, codec: 'subrip', language: 'en' },
        { index: 4, codec: 'hdmv_pgs_subtitle', language: 'fre', bitmap: true },
        { index: 5, codec: 'ass' },
      ],
    },
    screenshots: [],
    episodes: [],
    createdAt: new Date(),
    updatedAt: new Date(),
    ...overrides,
  };
}

const links = {
  stream: (f: MediaFile) => `https://vault.example/stream/${String(f._id)}/${f.fileName}?md5=x&expires=1`,
  subtitle: (f: MediaFile, n: number) => `https://vault.example/subtitles/${String(f._id)}/${n}.vtt?md5=y`,
};

function httpError(action: () => unknown): AppError {
  try {
    action();
  } catch (error) {
    assert.ok(error instanceof AppError, 'an AppError');
    return error;
  }
  assert.fail('no error was thrown');
}

describe('Stremio add-on: ids', () => {
  it('reads our title and episode ids and IMDb ids, and nothing else', () => {
    const id = '0123456789abcdef01234567';
    assert.deepEqual(parseVideoId(titleMetaId(id)), { source: 'ours', titleId: id });
    assert.deepEqual(parseVideoId(episodeVideoId(id, 2, 13)), {
      source: 'ours',
      titleId: id,
      season: 2,
      episode: 13,
    });
    assert.deepEqual(parseVideoId('tt0133093'), { source: 'imdb', imdbId: 'tt0133093' });
    assert.deepEqual(parseVideoId('tt0903747:5:16'), {
      source: 'imdb',
      imdbId: 'tt0903747',
      season: 5,
      episode: 16,
    });
    for (const other of ['sv:nothex', `sv:${id}:1`, 'kitsu:1', 'tt12', `sv:${id}:1:2:3`, ''])
      assert.equal(parseVideoId(other), undefined, other);
  });
});

describe('Stremio add-on: the key segment', () => {
  it('is the app password alone for every catalog, or with "~" and the chosen ones', () => {
    assert.deepEqual(parseAddonKey(PASSWORD), {
      password: PASSWORD,
      catalogs: ['movies', 'series', 'anime'],
    });
    assert.deepEqual(parseAddonKey(`${PASSWORD}~anime.movies`), {
      password: PASSWORD,
      catalogs: ['movies', 'anime'],
    });
    assert.equal(formatAddonKey(PASSWORD, ['anime', 'movies']), `${PASSWORD}~movies.anime`);
    assert.equal(formatAddonKey(PASSWORD, ['movies', 'series', 'anime']), PASSWORD);
  });

  it('refuses unknown options with a 400 that does not repeat the password', () => {
    for (const segment of [`${PASSWORD}~films`, `${PASSWORD}~`, `${PASSWORD}~movies~anime`]) {
      const error = httpError(() => parseAddonKey(segment));
      assert.equal(error.getStatus(), 400);
      assert.ok(!JSON.stringify(error.getResponse()).includes(PASSWORD.slice(4)), segment);
    }
  });

  it("the configure form's choice: named catalogs in our order; nothing (or nonsense) keeps the current", () => {
    assert.deepEqual(chooseCatalogs(['anime', 'movies'], ['series']), {
      catalogs: ['movies', 'anime'],
      nothingChosen: false,
    });
    assert.deepEqual(chooseCatalogs('series', ['movies']), { catalogs: ['series'], nothingChosen: false });
    assert.deepEqual(chooseCatalogs(undefined, ['movies']), { catalogs: ['movies'], nothingChosen: false });
    for (const asked of ['films', [], { a: 'b' }])
      assert.deepEqual(chooseCatalogs(asked, ['movies']), { catalogs: ['movies'], nothingChosen: true });
  });

  it('links: the manifest, the stremio:// deep link, Stremio Web and the configure page', () => {
    const found = addonLinks('https://vault.example', `${PASSWORD}~anime`);
    assert.equal(found.manifest, `https://vault.example/stremio/${PASSWORD}~anime/manifest.json`);
    assert.equal(found.stremio, `stremio://vault.example/stremio/${PASSWORD}~anime/manifest.json`);
    assert.equal(found.web, `https://web.stremio.com/#/addons?addon=${encodeURIComponent(found.manifest)}`);
    assert.equal(found.configure, `https://vault.example/stremio/${PASSWORD}~anime/configure`);
  });
});

describe('Stremio add-on: extra segments', () => {
  it('reads search, genre, skip and videoSize from the raw segment; separators inside values are data', () => {
    assert.deepEqual(parseExtra(`search=${encodeURIComponent('Tom & Jerry=1')}&skip=100.json`), {
      search: 'Tom & Jerry=1',
      skip: 100,
      videoSize: undefined,
    });
    assert.equal(parseExtra('genre=Science%20Fiction&foo=bar.json').genre, 'Science Fiction');
    assert.equal(parseExtra('videoSize=1234&videoHash=abc&filename=x.mkv.json').videoSize, 1234);
  });

  it('answers 400 for a malformed number or an oversized search, 404 for a path not ending in .json', () => {
    assert.equal(httpError(() => parseExtra('skip=-1.json')).getStatus(), 400);
    assert.equal(httpError(() => parseExtra('skip=1e3.json')).getStatus(), 400);
    assert.equal(httpError(() => parseExtra(`search=${'a'.repeat(201)}.json`)).getStatus(), 400);
    assert.equal(httpError(() => stripJson('manifest.xml')).getStatus(), 404);
  });
});

describe('Stremio add-on: streams', () => {
  it('one stream per file: signed URL, quality, size and languages, binge group, subtitles in ISO 639-2', () => {
    const mkv = file();
    const stream = toStream(mkv, 'title-1', links);
    assertStream(stream);
    assert.equal(stream.url, links.stream(mkv));
    assert.equal(stream.name, 'StreamVault\n1080p');
    assert.match(
      stream.description,
      /^Harbour\.Watch\.S01E01\.1080p\.mkv\n1\.4 GiB · audio eng, jpn · subtitles eng$/,
    );
    assert.deepEqual(stream.behaviorHints, {
      bingeGroup: 'streamvault-title-1-1080p',
      notWebReady: true,
      filename: mkv.fileName,
      videoSize: mkv.size,
    });
    // The image track is left out; a track without a language is "und".
    assert.deepEqual(
      stream.subtitles?.map((s) => [s.id, s.lang]),
      [
        [`${String(mkv._id)}-0`, 'eng'],
        [`${String(mkv._id)}-2`, 'und'],
      ],
    );
    stream.subtitles?.forEach((s) => assertSubtitle(s));
  });

  it('says notWebReady only when a browser cannot play the container and codecs as they are', () => {
    const mp4 = file({
      mime: 'video/mp4',
      streams: {
        video: [{ index: 0, codec: 'h264', height: 720 }],
        audio: [{ index: 1, codec: 'aac' }],
        subtitles: [],
      },
    });
    assert.equal(isWebReady(mp4), true);
    assert.equal(toStream(mp4, 't', links).behaviorHints.notWebReady, undefined);
    assert.equal('subtitles' in toStream(mp4, 't', links), false);
    assert.equal(
      isWebReady({ ...mp4, streams: { ...mp4.streams, video: [{ index: 0, codec: 'hevc' }] } }),
      false,
    );
    assert.equal(
      isWebReady({ ...mp4, streams: { ...mp4.streams, audio: [{ index: 1, codec: 'ac3' }] } }),
      false,
    );
    assert.equal(isWebReady(file()), false, 'Matroska');
  });

  it('orders the best picture first', () => {
    const sd = file({
      streams: { video: [{ index: 0, codec: 'h264', height: 360 }], audio: [], subtitles: [] },
    });
    const uhd = file({
      streams: { video: [{ index: 0, codec: 'h264', height: 2160 }], audio: [], subtitles: [] },
    });
    const unknown = file({ streams: { video: [], audio: [], subtitles: [] } });
    assert.deepEqual([sd, unknown, uhd].sort(byQuality), [uhd, sd, unknown]);
  });

  it('maps two-letter languages to ISO 639-2, keeps three-letter ones, "und" otherwise', () => {
    assert.deepEqual(['en', 'pt-BR', 'jpn', 'xx', undefined, ''].map(iso6392), [
      'eng',
      'por',
      'jpn',
      'und',
      'und',
      'und',
    ]);
  });

  it('the shape checks refuse what Stremio would not take', () => {
    assert.throws(() => assertStream({ url: '/stream/relative' }), /absolute/);
    assert.throws(() => assertSubtitle({ id: 'x', url: 'https://a.example/x.vtt', lang: 'en' }), /639-2/);
  });
});
