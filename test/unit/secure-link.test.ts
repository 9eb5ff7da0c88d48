import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { checkSecureLink, secureLinkSignature, signedPath } from '../../src/stream/signing/secure-link.js';

const SECRET = 'stream-secret-for-tests';
const URI = '/stream/6b06f1af3ffdf6164bddafbe/Movie (2001).mkv';
const TENANT = '65f0c0ffee0000000000beef';

describe('secure links (nginx secure_link_md5 compatible)', () => {
  it('signs md5(expires + " " + tenant + "|" + uri + " " + secret) as unpadded base64url', () => {
    const expected = createHash('md5')
      .update(`2000000000 |${URI} ${SECRET}`)
      .digest('base64')
      .replace(/\+/g, '-')
      .replace(/\//g, '_')
      .replace(/=+$/, '');
    assert.equal(secureLinkSignature(URI, 2000000000, SECRET), expected);
  });

  it('accepts a valid link and tells expired from forged', () => {
    const md5 = secureLinkSignature(URI, 2000, SECRET);
    assert.equal(checkSecureLink(URI, md5, '2000', SECRET, 1999), 'valid');
    assert.equal(checkSecureLink(URI, md5, '2000', SECRET, 2001), 'expired');
    assert.equal(checkSecureLink(URI, md5, '2001', SECRET, 1999), 'invalid');
    assert.equal(checkSecureLink(`${URI}x`, md5, '2000', SECRET, 1999), 'invalid');
    assert.equal(checkSecureLink(URI, md5, '2000', 'other-secret', 1999), 'invalid');
  });

  it('signs the tenant before the path: a tenant link is no default-site link to the path with t appended', () => {
    const md5 = secureLinkSignature(URI, 2000, SECRET, TENANT);
    assert.equal(checkSecureLink(URI, md5, '2000', SECRET, 1999, TENANT), 'valid');
    assert.equal(checkSecureLink(`${URI}${TENANT}`, md5, '2000', SECRET, 1999), 'invalid');
    assert.equal(checkSecureLink(URI, md5, '2000', SECRET, 1999), 'invalid');
    // And the reverse: a default-site link to a path ending in a tenant id is not that tenant's link.
    const operators = secureLinkSignature(`${URI}${TENANT}`, 2000, SECRET);
    assert.equal(checkSecureLink(URI, operators, '2000', SECRET, 1999, TENANT), 'invalid');
  });

  it('takes only an empty tenant or an ObjectId, so nothing in t can end the tenant part early', () => {
    assert.throws(() => secureLinkSignature(URI, 2000, SECRET, `${TENANT}|/stream`));
    assert.equal(
      checkSecureLink(URI, secureLinkSignature(URI, 2000, SECRET), '2000', SECRET, 0, 'a|'),
      'invalid',
    );
  });

  it('refuses missing or malformed parameters', () => {
    assert.equal(checkSecureLink(URI, undefined, '2000', SECRET, 0), 'invalid');
    assert.equal(checkSecureLink(URI, 'abc', '2000', SECRET, 0), 'invalid');
    assert.equal(checkSecureLink(URI, secureLinkSignature(URI, 2000, SECRET), '2e3', SECRET, 0), 'invalid');
    // nginx signs the text as sent: with a leading zero it is another link, refused there too.
    assert.equal(checkSecureLink(URI, secureLinkSignature(URI, 2000, SECRET), '02000', SECRET, 0), 'invalid');
  });

  it('signs one path segment per segment: a "/" in a file name cannot make the link sign another path', () => {
    const id = '0123456789abcdef01234567';
    const content = signedPath(['stream', id, 'ad/x.mkv']);
    assert.notEqual(content.decoded, signedPath(['stream', id, 'ad', 'x.mkv']).decoded);
    assert.equal(content.decoded.split('/').length, 4);
    assert.equal(content.encoded, `/stream/${id}/ad_x.mkv`);
    assert.equal(signedPath(['stream', id, 'Film (2001).mkv']).encoded, `/stream/${id}/Film%20(2001).mkv`);
  });
});
