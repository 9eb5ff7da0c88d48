import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { judgeAddress } from '../../src/ingest/source-policy/address-policy.js';
import { unreachableMagnetReason } from '../../src/ingest/source-policy/magnet-reach.js';
import { parseSourceUrl } from '../../src/ingest/source-policy/source-url.js';
import { type Resolver, SsrfGuard } from '../../src/ingest/source-policy/ssrf-guard.js';

const refused = (fn: () => unknown, pattern: RegExp) =>
  assert.throws(
    fn,
    (error: Error & { code?: string }) => error.code === 'source_refused' && pattern.test(error.message),
  );

describe('address policy', () => {
  const cases: [string, boolean, string][] = [
    ['93.184.216.34', true, 'unicast'],
    ['2606:2800:220:1:248:1893:25c8:1946', true, 'unicast'],
    ['127.0.0.1', false, 'loopback'],
    ['127.8.9.10', false, 'loopback'],
    ['::1', false, 'loopback'],
    ['10.0.0.1', false, 'private'],
    ['172.16.5.4', false, 'private'],
    ['192.168.1.1', false, 'private'],
    ['169.254.169.254', false, 'linkLocal'],
    ['fe80::1', false, 'linkLocal'],
    ['100.64.0.1', false, 'carrierGradeNat'],
    ['100.100.100.200', false, 'carrierGradeNat'],
    ['224.0.0.1', false, 'multicast'],
    ['ff02::1', false, 'multicast'],
    ['0.0.0.0', false, 'unspecified'],
    ['::', false, 'unspecified'],
    ['fd00:ec2::254', false, 'uniqueLocal'],
    ['::ffff:127.0.0.1', false, 'loopback'],
    ['::ffff:10.1.2.3', false, 'private'],
    ['::ffff:93.184.216.34', true, 'unicast'],
    // IPv6 forms that carry an IPv4 address: IPv4-compatible (deprecated), NAT64, 6to4, Teredo.
    ['::7f00:1', false, 'ipv4Compatible'],
    ['::a00:1', false, 'ipv4Compatible'],
    ['::5db8:d822', false, 'ipv4Compatible'],
    ['64:ff9b::7f00:1', false, 'rfc6052'],
    ['2002:7f00:1::', false, '6to4'],
    ['2001:0:7f00:1::', false, 'teredo'],
    ['not-an-ip', false, 'invalid'],
  ];
  for (const [address, allowed, range] of cases) {
    it(`${address} → ${allowed ? 'allowed' : `refused (${range})`}`, () => {
      assert.deepEqual(judgeAddress(address), { allowed, range });
    });
  }
});

describe('source URL policy', () => {
  it('accepts http, https and magnet links', () => {
    assert.equal(parseSourceUrl('https://cdn.example.com/a.mkv').kind, 'http');
    assert.equal(parseSourceUrl('http://example.com/file.torrent').kind, 'http');
    const magnet = parseSourceUrl('magnet:?xt=urn:btih:C12FE1C06BBA254A9DC9F519B335AA7C1367A88A&dn=x');
    assert.deepEqual(magnet.kind === 'magnet' && magnet.infoHash, 'c12fe1c06bba254a9dc9f519b335aa7c1367a88a');
    const base32 = parseSourceUrl('magnet:?xt=urn:btih:YEX6DQDLXISUVHOJ6UM3GNNKPQJWPKEK');
    assert.equal(base32.kind === 'magnet' && base32.infoHash, 'c12fe1c06bba254a9dc9f519b335aa7c1367a88a');
    const v2 = parseSourceUrl(`magnet:?xt=urn:btmh:1220${'AB'.repeat(32)}&dn=v2`);
    assert.equal(v2.kind === 'magnet' && v2.infoHash, `1220${'ab'.repeat(32)}`);
  });

  it('refuses magnets whose info hash is not one: aria2 would fail on it after taking a worker', () => {
    for (const hash of [
      'btih:a',
      `btih:${'a'.repeat(39)}`,
      `btih:${'g'.repeat(40)}`,
      `btih:${'a'.repeat(41)}`,
      `btih:${'A'.repeat(31)}`,
      `btih:${'1'.repeat(32)}`,
      `btmh:${'a'.repeat(64)}`,
      `btmh:1114${'a'.repeat(64)}`,
      `btih:${'a'.repeat(40)}x`,
    ]) {
      refused(() => parseSourceUrl(`magnet:?xt=urn:${hash}&dn=x`), /info hash is malformed/);
    }
  });

  it('refuses links with control characters in them', () => {
    refused(() => parseSourceUrl(`magnet:?xt=urn:btih:${'a'.repeat(40)}&dn=a\u0000b`), /control characters/);
    refused(() => parseSourceUrl('https://example.com/a\u0007b.mkv'), /control characters/);
    refused(() => parseSourceUrl('https://example.com/a\nb.mkv'), /control characters/);
  });

  it('refuses other schemes, credentials, junk and magnets without a hash', () => {
    refused(() => parseSourceUrl('file:///etc/passwd'), /^file: links are not allowed/);
    refused(() => parseSourceUrl('ftp://example.com/x'), /^ftp: links/);
    refused(() => parseSourceUrl('gopher://example.com/x'), /^gopher: links/);
    refused(() => parseSourceUrl('javascript:alert(1)'), /^javascript: links/);
    refused(() => parseSourceUrl('http://user:pw@example.com/'), /user name or password/);
    refused(() => parseSourceUrl('not a url'), /not a valid URL/);
    refused(() => parseSourceUrl('magnet:?dn=nothing'), /no info hash/);
    refused(() => parseSourceUrl(`http://example.com/${'a'.repeat(9000)}`), /longer than/);
  });

  it('normalises decimal, octal and hex IPv4 hosts to dotted form', () => {
    for (const raw of [
      'http://2130706433/',
      'http://0177.0.0.1/',
      'http://0x7f.0.0.1/',
      'http://0x7f000001/',
    ]) {
      const source = parseSourceUrl(raw);
      assert.equal(source.kind === 'http' && source.url.hostname, '127.0.0.1', raw);
    }
  });
});

describe('SSRF guard (injected resolver, no DNS)', () => {
  const resolver: Resolver = async (host) => {
    const table: Record<string, string[]> = {
      'media.example': ['93.184.216.34'],
      'evil.example': ['127.0.0.1'],
      'rebind.example': ['93.184.216.34', '10.0.0.7'],
      'v6.example': ['::ffff:169.254.169.254'],
      'nas.lan': ['192.168.1.20'],
    };
    if (!table[host]) throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' });
    return table[host].map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
  const guard = new SsrfGuard(
    [
      { host: 'nas.lan', port: 8080 },
      { host: '127.0.0.1', port: 9999 },
    ],
    resolver,
  );
  const check = (url: string) => guard.check(new URL(url));

  it('returns the address to pin the connection to', async () => {
    assert.deepEqual(await check('https://media.example/x.mkv'), { address: '93.184.216.34', family: 4 });
  });

  it('refuses literal private, loopback and metadata addresses in every spelling', async () => {
    for (const url of [
      'http://127.0.0.1/',
      'http://[::1]/',
      'http://169.254.169.254/latest/meta-data/',
      'http://10.0.0.1/',
      'http://2130706433/',
      'http://0177.0.0.1/',
      'http://0x7f.0.0.1/',
      'http://[::ffff:127.0.0.1]/',
      'http://[::ffff:7f00:1]/',
      'http://[::7f00:1]/',
      'http://[64:ff9b::a9fe:a9fe]/',
    ]) {
      await assert.rejects(check(url), /only fetches public addresses/, url);
    }
  });

  it('refuses a public-looking name that resolves to a private address, or to any private one', async () => {
    await assert.rejects(check('http://evil.example/'), /evil\.example resolves to 127\.0\.0\.1, a loopback/);
    await assert.rejects(check('http://rebind.example/'), /10\.0\.0\.7, a private/);
    await assert.rejects(check('http://v6.example/'), /linkLocal/);
    await assert.rejects(check('http://nowhere.example/'), /cannot be resolved \(ENOTFOUND\)/);
  });

  it('exempts INGEST_ALLOW_HOSTS entries, port included', async () => {
    assert.deepEqual(await check('http://nas.lan:8080/film.mkv'), { address: '192.168.1.20', family: 4 });
    await assert.rejects(check('http://nas.lan/'), /192\.168\.1\.20, a private/);
    assert.deepEqual(await check('http://127.0.0.1:9999/'), { address: '127.0.0.1', family: 4 });
    await assert.rejects(check('http://127.0.0.1:9998/'), /loopback/);
  });
});

describe('magnets aria2 could never find a peer for (DHT off)', () => {
  const magnet = (...params: string[]) =>
    ['magnet:?xt=urn:btih:c12fe1c06bba254a9dc9f519b335aa7c1367a88a&dn=x', ...params].join('&');
  const tr = (url: string) => `tr=${encodeURIComponent(url)}`;
  const off = { dht: false, lpd: false };

  it('refuses one whose only trackers are udp://, naming the setting that would allow it', () => {
    const reason = unreachableMagnetReason(
      magnet(tr('udp://tracker.example:1337/announce'), tr('udp://other.example:6969')),
      off,
    );
    assert.match(String(reason), /lists only udp:\/\/ trackers/);
    assert.match(String(reason), /INGEST_TORRENT_DIRECT=dht/);
  });

  it('refuses one with no tracker at all, and trackers it cannot speak (wss://)', () => {
    assert.match(String(unreachableMagnetReason(magnet(), off)), /names no http\(s\) tracker/);
    assert.match(String(unreachableMagnetReason(magnet(tr('wss://tracker.example')), off)), /no http/);
  });

  it('takes one with an http(s) tracker beside udp ones, encoded or not, or numbered', () => {
    assert.equal(
      unreachableMagnetReason(magnet(tr('udp://a.example:1'), tr('https://b.example/ann')), off),
      undefined,
    );
    assert.equal(unreachableMagnetReason(magnet('tr=http://b.example/announce'), off), undefined);
    assert.equal(
      unreachableMagnetReason(magnet(`tr.1=${encodeURIComponent('HTTP://b.example/a')}`), off),
      undefined,
    );
  });

  it('takes one with a web seed', () => {
    const seeded = magnet(tr('udp://a.example:1'), `ws=${encodeURIComponent('https://cdn.example/x.mkv')}`);
    assert.equal(unreachableMagnetReason(seeded, off), undefined);
  });

  it('takes a udp-only one when INGEST_TORRENT_DIRECT turns on DHT (or LAN discovery)', () => {
    const udpOnly = magnet(tr('udp://tracker.example:1337/announce'));
    assert.equal(unreachableMagnetReason(udpOnly, { dht: true, lpd: false }), undefined);
    assert.equal(unreachableMagnetReason(udpOnly, { dht: false, lpd: true }), undefined);
  });
});
