import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type IngestItem } from '../../src/ingest/items/ingest-item.js';
import { isSample, layoutPack, SAMPLE_MAX_BYTES } from '../../src/ingest/items/pack-layout.js';
import { safeRelativePath } from '../../src/ingest/items/safe-path.js';
import { subtitleTags } from '../../src/ingest/items/subtitle-language.js';

const MiB = 1024 * 1024;

function item(name: string, kind: IngestItem['kind'], size = MiB): IngestItem {
  return { path: name, name, kind, size, state: 'pending' };
}

describe('pack layout', () => {
  it('pairs each sidecar subtitle with its video and reads its language from the name', () => {
    const items = layoutPack([
      item('Show.S01E01.mkv', 'video', 400 * MiB),
      item('Show.S01E01.en.srt', 'subtitle'),
      item('Show.S01E02.mkv', 'video', 400 * MiB),
      item('Show.S01E02.English.forced.srt', 'subtitle'),
      item('Subs/Show.S01E02/3_French.srt', 'subtitle'),
    ]);
    assert.deepEqual(
      items.map((i) => [i.companionOf, i.language]),
      [
        [undefined, undefined],
        [0, 'en'],
        [undefined, undefined],
        [2, 'en'],
        [2, 'fr'],
      ],
    );
  });

  it('prefers the longest matching video name (E01 vs E01.Extended)', () => {
    const items = layoutPack([
      item('Film.2020.mkv', 'video', 900 * MiB),
      item('Film.2020.Extended.mkv', 'video', 1000 * MiB),
      item('Film.2020.Extended.de.srt', 'subtitle'),
    ]);
    assert.equal(items[2].companionOf, 1);
    assert.equal(items[2].language, 'de');
  });

  it('keeps "und" with a note when the name names no language, and skips an unmatched subtitle', () => {
    const items = layoutPack([
      item('A.S01E01.mkv', 'video'),
      item('A.S01E02.mkv', 'video'),
      item('A.S01E01.srt', 'subtitle'),
      item('Other.Thing.srt', 'subtitle'),
    ]);
    assert.equal(items[2].language, 'und');
    assert.match(String(items[2].note), /language unknown/);
    assert.equal(items[3].state, 'skipped');
    assert.match(String(items[3].error), /no video in the pack/);
  });

  it('skips a sample under 50 MiB beside a larger video, but not a lone small video', () => {
    const pack = layoutPack([
      item('Show.S01E01.mkv', 'video', 700 * MiB),
      item('Sample/show.s01e01.sample.mkv', 'video', 20 * MiB),
      item('show-sample.mkv', 'video', SAMPLE_MAX_BYTES + 1),
    ]);
    assert.deepEqual(
      pack.map((i) => i.state),
      ['pending', 'skipped', 'pending'],
    );
    assert.match(String(pack[1].error), /sample clip/);
    assert.equal(layoutPack([item('clip.sample.mp4', 'video', 5 * MiB)])[0].state, 'pending');
    assert.equal(isSample('Samples.Of.Life.S01E01.mkv'), false);
    assert.equal(isSample('SAMPLE/x.mkv'), true);
  });

  it('reports other files as skipped with what they are', () => {
    const [nfo] = layoutPack([{ ...item('Show.nfo', 'other'), error: 'release notes (.nfo); not media' }]);
    assert.equal(nfo.state, 'skipped');
    assert.match(String(nfo.error), /release notes/);
  });
});

describe('names from torrents and archives', () => {
  it('keeps relative names, refuses ../ and absolute ones', () => {
    assert.equal(safeRelativePath('Show/S01/./E01.mkv'), 'Show/S01/E01.mkv');
    assert.equal(safeRelativePath('Show\\S01\\E01.mkv'), 'Show/S01/E01.mkv');
    assert.equal(safeRelativePath('a//b'), 'a/b');
    for (const bad of ['../x.mkv', 'a/../../x.mkv', '/etc/passwd', 'C:\\x.mkv', 'c:x', '', '.', '..']) {
      assert.equal(safeRelativePath(bad), undefined, bad);
    }
  });
});

describe('subtitle language from a name', () => {
  it('reads codes and names, flags forced and SDH, and says "und" otherwise', () => {
    assert.equal(subtitleTags('.en').language, 'en');
    assert.equal(subtitleTags('.eng.SDH').language, 'en');
    assert.deepEqual(subtitleTags('.pt-BR.forced'), { language: 'pt', forced: true, flags: ['forced'] });
    assert.equal(subtitleTags('2_Spanish').language, 'es');
    assert.equal(subtitleTags('.hi').language, 'und', '"hi" means hearing impaired in these names');
    assert.equal(subtitleTags('.720p.WEB').language, 'und');
  });
});
