import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { planTranscode } from '../../src/music/streaming/transcode-format.js';
import { renderSubsonic } from '../../src/music/subsonic/subsonic-response.js';

describe('Subsonic responses', () => {
  const payload = {
    album: {
      id: 'al-1',
      name: 'A & "B"',
      song: [
        { id: 's1', title: 'x<y' },
        { id: 's2', title: 'z' },
      ],
      year: undefined,
    },
    lyrics: { artist: 'Ann', value: 'la\u0001 la' },
  };

  it('writes XML: scalars as attributes, arrays as repeated elements, `value` as text, empties left out', () => {
    const { body, type } = renderSubsonic('xml', payload);
    assert.equal(type, 'text/xml; charset=utf-8');
    assert.equal(
      body.split('\n')[1],
      '<subsonic-response xmlns="http://subsonic.org/restapi" status="ok" version="1.16.1" type="streamvault" serverVersion="0.1.0" openSubsonic="true">' +
        '<album id="al-1" name="A &amp; &quot;B&quot;"><song id="s1" title="x&lt;y"/><song id="s2" title="z"/></album>' +
        '<lyrics artist="Ann">la la</lyrics></subsonic-response>',
    );
  });

  it('leaves out what XML 1.0 cannot carry: noncharacters and lone surrogates too (one echoed id made the answer unreadable)', () => {
    const { body } = renderSubsonic('xml', {
      error: { code: 70, message: 'Playlist not found: x\uFFFFy\uFFFEz\uD800w' },
    });
    assert.match(body, /message="Playlist not found: xyz\uFFFDw"/);
  });

  it('writes JSON under subsonic-response, and JSONP only with a plain callback name', () => {
    const json = JSON.parse(renderSubsonic('json', payload).body)['subsonic-response'];
    assert.deepEqual(
      [json.status, json.openSubsonic, json.album.song.length, 'year' in json.album],
      ['ok', true, 2, false],
    );
    assert.match(renderSubsonic('jsonp', {}, 'ok', 'cb.done').body, /^cb\.done\(\{/);
    assert.match(renderSubsonic('jsonp', {}, 'ok', 'alert(1)//').body, /^\{/);
  });
});

describe('what stream sends', () => {
  const flac = { suffix: 'flac', bitRate: 900 };
  const mp3 = { suffix: 'mp3', bitRate: 128 };

  it('sends the original bytes without format, with raw, or when the track is within maxBitRate', () => {
    assert.equal(planTranscode(flac, undefined, 0, 0), undefined);
    assert.equal(planTranscode(flac, 'raw', 96, 0), undefined);
    assert.equal(planTranscode(mp3, undefined, 192, 0), undefined);
    assert.equal(planTranscode(mp3, 'mp3', 0, 0), undefined);
  });

  it('transcodes to the format asked, at maxBitRate (32-320), or to mp3 when only the bit rate is too high', () => {
    assert.deepEqual(planTranscode(flac, 'opus', 0, 0), { format: 'opus', kbps: 128, offset: 0 });
    assert.deepEqual(planTranscode(flac, undefined, 96, 0), { format: 'mp3', kbps: 96, offset: 0 });
    assert.deepEqual(planTranscode(flac, 'aac', 5000, 30), { format: 'aac', kbps: 320, offset: 30 });
    assert.deepEqual(planTranscode(mp3, undefined, 0, 12), { format: 'mp3', kbps: 192, offset: 12 });
  });

  it('refuses a format it cannot make', () => {
    assert.throws(() => planTranscode(flac, 'wma', 0, 0), /format must be raw, mp3, opus or aac/);
    // Names every object has are not formats either.
    for (const inherited of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
      assert.throws(() => planTranscode(flac, inherited, 0, 0), /format must be raw, mp3, opus or aac/);
    }
  });
});
