import assert from 'node:assert/strict';
import linter from 'stremio-addon-linter';

/**
 * The Stremio add-on protocol (v3) response shapes, as stremio-addon-sdk's docs/api describe them
 * (the npm linter checks manifests only): every answer the add-on gives is checked against these.
 */

/** The official linter: a manifest it calls invalid, or warns about, fails. */
export function assertLintedManifest(manifest: unknown): void {
  const result = linter.lintManifest(manifest);
  assert.deepEqual(
    { errors: result.errors.map(String), warnings: (result.warnings ?? []).map(String) },
    { errors: [], warnings: [] },
    'stremio-addon-linter finds nothing',
  );
  assert.equal(result.valid, true);
}

const TYPES = ['movie', 'series'];
const ISO_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function optionalString(object: Record<string, unknown>, field: string, where: string): void {
  if (field in object) assert.equal(typeof object[field], 'string', `${where}.${field} is a string`);
}

function absoluteUrl(value: unknown, where: string): void {
  assert.equal(typeof value, 'string', `${where} is a string`);
  assert.match(value as string, /^https?:\/\/[^/]+\//, `${where} is an absolute http(s) URL`);
}

export function assertMetaPreview(value: unknown, where = 'meta'): void {
  assert.ok(isObject(value), `${where} is an object`);
  assert.equal(typeof value.id, 'string', `${where}.id`);
  assert.ok(TYPES.includes(value.type as string), `${where}.type is movie or series`);
  assert.equal(typeof value.name, 'string', `${where}.name`);
  if ('poster' in value) absoluteUrl(value.poster, `${where}.poster`);
  if ('posterShape' in value)
    assert.ok(['square', 'poster', 'landscape'].includes(value.posterShape as string));
  if ('genres' in value)
    assert.ok(Array.isArray(value.genres) && value.genres.every((g) => typeof g === 'string'));
  optionalString(value, 'releaseInfo', where);
}

export function assertCatalogResponse(value: unknown): void {
  assert.ok(isObject(value) && Array.isArray(value.metas), 'a catalog answers {metas: []}');
  value.metas.forEach((meta, i) => assertMetaPreview(meta, `metas[${i}]`));
}

export function assertMetaResponse(value: unknown): void {
  assert.ok(isObject(value) && isObject(value.meta), 'a meta answer is {meta: {}}');
  const meta = value.meta;
  assertMetaPreview(meta);
  if ('background' in meta) absoluteUrl(meta.background, 'meta.background');
  optionalString(meta, 'description', 'meta');
  optionalString(meta, 'runtime', 'meta');
  if ('imdb_id' in meta) assert.match(meta.imdb_id as string, /^tt\d+$/);
  if ('videos' in meta) {
    assert.ok(Array.isArray(meta.videos), 'meta.videos is an array');
    meta.videos.forEach((video: unknown, i) => {
      const where = `meta.videos[${i}]`;
      assert.ok(isObject(video), where);
      assert.equal(typeof video.id, 'string', `${where}.id`);
      assert.equal(typeof video.title, 'string', `${where}.title`);
      assert.match(String(video.released), ISO_DATE, `${where}.released is an ISO 8601 date`);
      if ('season' in video) assert.ok(Number.isInteger(video.season), `${where}.season`);
      if ('episode' in video) assert.ok(Number.isInteger(video.episode), `${where}.episode`);
      if ('thumbnail' in video) absoluteUrl(video.thumbnail, `${where}.thumbnail`);
    });
  }
  if ('behaviorHints' in meta) assert.ok(isObject(meta.behaviorHints));
}

export function assertSubtitle(value: unknown, where = 'subtitle'): void {
  assert.ok(isObject(value), where);
  assert.equal(typeof value.id, 'string', `${where}.id`);
  absoluteUrl(value.url, `${where}.url`);
  assert.match(String(value.lang), /^[a-z]{3}$/, `${where}.lang is ISO 639-2`);
}

export function assertStream(value: unknown, where = 'stream'): void {
  assert.ok(isObject(value), where);
  absoluteUrl(value.url, `${where}.url`);
  for (const field of ['name', 'title', 'description']) optionalString(value, field, where);
  if ('subtitles' in value) {
    assert.ok(Array.isArray(value.subtitles));
    value.subtitles.forEach((subtitle: unknown, i) => assertSubtitle(subtitle, `${where}.subtitles[${i}]`));
  }
  if ('behaviorHints' in value) {
    const hints = value.behaviorHints;
    assert.ok(isObject(hints), `${where}.behaviorHints`);
    optionalString(hints, 'bingeGroup', `${where}.behaviorHints`);
    optionalString(hints, 'filename', `${where}.behaviorHints`);
    if ('notWebReady' in hints) assert.equal(typeof hints.notWebReady, 'boolean');
    if ('videoSize' in hints) assert.ok(Number.isInteger(hints.videoSize));
  }
}

export function assertStreamResponse(value: unknown): void {
  assert.ok(isObject(value) && Array.isArray(value.streams), 'a stream answer is {streams: []}');
  value.streams.forEach((stream, i) => assertStream(stream, `streams[${i}]`));
}

export function assertSubtitlesResponse(value: unknown): void {
  assert.ok(isObject(value) && Array.isArray(value.subtitles), 'a subtitles answer is {subtitles: []}');
  value.subtitles.forEach((subtitle, i) => assertSubtitle(subtitle, `subtitles[${i}]`));
}
