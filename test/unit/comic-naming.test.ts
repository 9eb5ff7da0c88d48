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

describe('ComicInfo.xml that is broken or hostile', () => {
  it('keeps an entity that names no character as written, and reads the rest', () => {
    const info = parseComicInfo(`<ComicInfo><Series>Big &#x110000; Bad</Series>
      <Title>Far &#99999999999; out &#xD800; &#0; &#65;</Title><Number>3</Number></ComicInfo>`);
    assert.equal(info.series, 'Big &#x110000; Bad');
    assert.equal(info.title, 'Far &#99999999999; out &#xD800; &#0; A');
    assert.equal(info.number, 3);
  });

  it('reads a 256 KB file of unclosed tags: the closed fields, none of the unclosed ones', () => {
    const hostile = `<ComicInfo><Number>7</Number>${'<Series <Title x="'.repeat(16 * 1024)}`;
    const info = parseComicInfo(hostile);
    assert.equal(info.number, 7);
    assert.equal(info.series, undefined);
  });

  it('reads the first of each field, with nested markup kept as text, and nothing past 64 KB', () => {
    const info = parseComicInfo(`<ComicInfo><Series>First</Series><Series>Second</Series>
      <Summary>A <b>bold</b> start</Summary><Manga/><Manga>YesAndRightToLeft</Manga>
      ${' '.repeat(64 * 1024)}<Writer>Too far</Writer></ComicInfo>`);
    assert.equal(info.series, 'First');
    assert.equal(info.summary, 'A <b>bold</b> start');
    assert.equal(info.rightToLeft, true);
    assert.equal(info.writer, undefined);
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
