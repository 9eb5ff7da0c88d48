import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseChapterName, parseChapterPath } from '../../src/readvault/comic/chapter-name.js';
import { parseComicInfo } from '../../src/readvault/comic/comic-info.js';
import { snapWidth } from '../../src/readvault/readvault.service.js';

describe('chapter names', () => {
  const cases: [string, ReturnType<typeof parseChapterName>][] = [
    ['One Piece v01 c001.cbz', { series: 'One Piece', volume: 1, number: 1, title: undefined }],
    [
      '[Group] Title - Chapter 12.5.cbz',
      { series: 'Title', volume: undefined, number: 12.5, title: undefined },
    ],
    ['Title Vol.2 Ch.10 - The Storm.cbr', { series: 'Title', volume: 2, number: 10, title: 'The Storm' }],
    ['Title 012 (2019) (Digital).cbz', { series: 'Title', volume: undefined, number: 12, title: undefined }],
    ['Harbor Manga v03.pdf', { series: 'Harbor Manga', volume: 3, number: undefined, title: undefined }],
    ['Solo.cbz', { series: 'Solo', volume: undefined, number: undefined, title: undefined }],
  ];
  for (const [name, expected] of cases) {
    it(`reads ${name}`, () => assert.deepEqual(parseChapterName(name), expected));
  }

  it('takes the series from the folders when the name gives only the chapter', () => {
    assert.deepEqual(parseChapterPath('Akira/Chapter 03'), {
      series: 'Akira',
      volume: undefined,
      number: 3,
      title: undefined,
    });
    assert.deepEqual(parseChapterPath('Akira/v01/c003.cbz'), {
      series: 'Akira',
      volume: 1,
      number: 3,
      title: undefined,
    });
    assert.equal(parseChapterPath('Packs/One Piece v01 c001.cbz').series, 'One Piece');
  });
});

describe('ComicInfo.xml', () => {
  it('reads the fields ReadVault files by, entities and CDATA included', () => {
    const info = parseComicInfo(`<?xml version="1.0"?><ComicInfo>
      <Series>Tom &amp; Jerry</Series><Number>10,5</Number><Volume>2</Volume>
      <Title><![CDATA[The <Chase>]]></Title><Genre>Comedy; Action</Genre>
      <LanguageISO>en</LanguageISO><Manga>YesAndRightToLeft</Manga></ComicInfo>`);
    assert.equal(info.series, 'Tom & Jerry');
    assert.equal(info.number, 10.5);
    assert.equal(info.volume, 2);
    assert.equal(info.title, 'The <Chase>');
    assert.deepEqual(info.genres, ['Comedy', 'Action']);
    assert.equal(info.rightToLeft, true);
  });

  it('leaves out what is missing or not a number', () => {
    const info = parseComicInfo('<ComicInfo><Number>abc</Number><Manga>Yes</Manga></ComicInfo>');
    assert.equal(info.series, undefined);
    assert.equal(info.number, undefined);
    assert.equal(info.rightToLeft, false);
  });
});

describe('page widths', () => {
  it('snaps a request to the largest listed width not above it, or the smallest', () => {
    assert.deepEqual(
      [1284, 1170, 1080, 1079, 720, 100, 10000].map(snapWidth),
      [1080, 1080, 1080, 720, 720, 320, 1440],
    );
  });
});
