import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { carriedByXml, escapeXml } from '../../src/core/util/xml-text.js';

describe('text in XML documents (Subsonic, OPDS, VAST)', () => {
  it('escapes markup and both quotes', () => {
    assert.equal(escapeXml(`a<b>&"c"'d'`), 'a&lt;b&gt;&amp;&quot;c&quot;&apos;d&apos;');
  });

  it('leaves out what XML 1.0 cannot carry and makes a lone surrogate U+FFFD, keeping tab and line breaks', () => {
    assert.equal(escapeXml('x\u0001y\uFFFEz\uFFFF\uD800w\t\n\r'), 'xyz\uFFFDw\t\n\r');
  });

  it('says whether a text goes through as it is', () => {
    assert.equal(carriedByXml('Night drive – 2 😀\t'), true);
    for (const text of ['a\u0000b', 'a\uFFFF', '\uDC00'])
      assert.equal(carriedByXml(text), false, JSON.stringify(text));
  });
});
