import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { VASTClient } from '@dailymotion/vast-client';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { settingsFromForm } from '../../src/franchise/ads/admin/ads-form.js';
import { AdsSettings } from '../../src/franchise/ads/dto/ads-settings.dto.js';
import { widenPolicy } from '../../src/franchise/ads/page/content-security-policy.js';
import { adOrigins } from '../../src/franchise/ads/page/ad-pages.service.js';
import { slotMarkup } from '../../src/franchise/ads/page/slot-markup.js';
import { type AppConfig } from '../../src/core/config/app-config.js';
import { AdEventSource } from '../../src/franchise/ads/tracking/ad-event.js';
import { AdServingTokens } from '../../src/franchise/ads/tracking/ad-serving-tokens.js';
import { dayRange } from '../../src/franchise/ads/tracking/ad-stats.service.js';
import {
  emptyVast,
  type HouseCreative,
  houseAdVast,
  vastTime,
} from '../../src/franchise/ads/vast/vast-document.js';

const creative = (overrides: Partial<HouseCreative> = {}): HouseCreative => ({
  id: '6750a1b2c3d4e5f601234567',
  title: 'Winter <sale> & more',
  mediaUrl: 'https://media.example.com/stream/6750/ad.mp4?md5=abc&expires=123',
  mime: 'video/mp4',
  width: 1280,
  height: 720,
  durationSeconds: 15.5,
  skipOffsetSeconds: 5,
  clickThrough: 'https://advertiser.example.com/?a=1&b=2',
  trackingBase: 'https://site.example.com/ads/track',
  servingId: 'serving-1',
  token: 'house.t0ken',
  ...overrides,
});

/** What the tests read of a parsed response (vast-client types it `any`). */
interface ParsedLinear {
  type: string;
  duration: number;
  skipDelay: number | null;
  videoClickThroughURLTemplate: { url: string };
  trackingEvents: Record<string, string[]>;
  mediaFiles: { fileURL: string; mimeType: string; width: number; height: number; deliveryType: string }[];
}

/** The document through the real client and parser, handed over as a data: URL (nothing leaves the process). */
async function parse(xml: string) {
  return (await new VASTClient().get(`data:text/xml,${encodeURIComponent(xml)}`)) as {
    version: string;
    ads: { title: string; adServingId: string; errorURLTemplates: string[]; creatives: ParsedLinear[] }[];
  };
}

const settings = (overrides: Record<string, unknown> = {}) =>
  plainToInstance(AdsSettings, {
    enabled: true,
    preroll: true,
    midrollOffsets: [],
    skipOffsetSeconds: 5,
    frequencyCapMinutes: 30,
    allowedHosts: [],
    ...overrides,
  });
const problems = async (overrides: Record<string, unknown>) =>
  (await validate(settings(overrides), { whitelist: true, forbidNonWhitelisted: true })).map(
    (error) => error.property,
  );

describe('VAST document builder', () => {
  it('writes VAST times as HH:MM:SS.mmm', () => {
    assert.equal(vastTime(0), '00:00:00.000');
    assert.equal(vastTime(15.5), '00:00:15.500');
    assert.equal(vastTime(3723.004), '01:02:03.004');
  });

  it('describes a linear house creative the VAST parser reads back field for field', async () => {
    const response = await parse(houseAdVast(creative()));
    assert.equal(response.version, '4.1');
    const [ad] = response.ads;
    assert.equal(ad.title, 'Winter <sale> & more');
    assert.equal(ad.adServingId, 'serving-1');
    assert.deepEqual(ad.errorURLTemplates, [
      'https://site.example.com/ads/track/error?source=house&token=house.t0ken&code=[ERRORCODE]',
    ]);
    const [linear] = ad.creatives;
    assert.equal(linear.type, 'linear');
    assert.equal(linear.duration, 15.5);
    assert.equal(linear.skipDelay, 5);
    assert.equal(linear.videoClickThroughURLTemplate.url, 'https://advertiser.example.com/?a=1&b=2');
    assert.deepEqual(linear.trackingEvents.complete, [
      'https://site.example.com/ads/track/complete?source=house&token=house.t0ken',
    ]);
    const [media] = linear.mediaFiles;
    assert.deepEqual(
      [media.fileURL, media.mimeType, media.width, media.height, media.deliveryType],
      [
        'https://media.example.com/stream/6750/ad.mp4?md5=abc&expires=123',
        'video/mp4',
        1280,
        720,
        'progressive',
      ],
    );
  });

  it('leaves skipoffset out for a creative that cannot be skipped', async () => {
    const xml = houseAdVast(creative({ skipOffsetSeconds: 0, width: undefined, height: undefined }));
    assert.doesNotMatch(xml, /skipoffset/);
    const [ad] = (await parse(xml)).ads;
    const { skipDelay } = ad.creatives[0];
    assert.ok(skipDelay === null || skipDelay < 0, `not skippable (skipDelay ${skipDelay})`);
  });

  it('escapes what could break out of the XML', () => {
    const xml = houseAdVast(creative({ title: ']]></AdTitle><Evil/>', id: '"><x' }));
    assert.doesNotMatch(xml, /<Evil\/>|"><x/);
  });

  it('an empty VAST is a valid "no ad" answer', async () => {
    const response = await parse(emptyVast());
    assert.equal(response.version, '4.1');
    assert.deepEqual(response.ads, []);
  });
});

describe('ad settings validation', () => {
  it('accepts complete settings', async () => {
    assert.deepEqual(
      await problems({
        vastTagUrl: 'https://ads.example.com/vast?id=1',
        midrollOffsets: [300, 900],
        houseAd: { fileId: '6750a1b2c3d4e5f601234567', clickThrough: 'https://a.example.com/' },
        slots: {
          header: { kind: 'html', html: '<script src="https://net.example.com/a.js"></script>' },
          underPlayer: {
            kind: 'image',
            imageUrl: 'https://cdn.example.com/b.png',
            linkUrl: 'https://a.example.com',
          },
        },
        allowedHosts: ['https://net.example.com', 'https://cdn.example.com/'],
        shortener: {
          enabled: true,
          urlTemplate: 'https://short.example.com/api?api={key}&url={url}',
          apiKey: 'k',
        },
      }),
      [],
    );
    assert.deepEqual(await problems({ vastTagUrl: '/ads/vast.xml' }), []);
  });

  it('refuses ad URLs that are not https, and anything malformed', async () => {
    assert.deepEqual(await problems({ vastTagUrl: 'http://ads.example.com/vast' }), ['vastTagUrl']);
    assert.deepEqual(await problems({ vastTagUrl: '//ads.example.com/vast' }), ['vastTagUrl']);
    assert.deepEqual(await problems({ vastTagUrl: 'data:text/xml,<VAST/>' }), ['vastTagUrl']);
    assert.deepEqual(await problems({ vastTagUrl: `https://a.example.com/${'x'.repeat(2100)}` }), [
      'vastTagUrl',
    ]);
    assert.deepEqual(await problems({ allowedHosts: ['https://ads.example.com/path'] }), ['allowedHosts']);
    assert.deepEqual(await problems({ allowedHosts: ["https://a.example.com 'unsafe-inline'"] }), [
      'allowedHosts',
    ]);
    assert.deepEqual(await problems({ midrollOffsets: [0] }), ['midrollOffsets']);
    assert.deepEqual(await problems({ midrollOffsets: Array(11).fill(60) }), ['midrollOffsets']);
    assert.deepEqual(await problems({ slots: { header: { kind: 'iframe' } } }), ['slots']);
    assert.deepEqual(await problems({ slots: { header: { kind: 'html', html: 'x'.repeat(20_001) } } }), [
      'slots',
    ]);
    assert.deepEqual(await problems({ houseAd: { fileId: 'x', clickThrough: 'https://a.example.com' } }), [
      'houseAd',
    ]);
    assert.deepEqual(
      await problems({
        shortener: { enabled: true, urlTemplate: 'https://s.example.com/api', resultField: 'a.b' },
      }),
      ['shortener'],
    );
    assert.deepEqual(await problems({ frequencyCapMinutes: -1 }), ['frequencyCapMinutes']);
  });
});

describe('page ads', () => {
  const POLICY =
    "default-src 'self';script-src 'self';style-src 'self';img-src 'self' data: https://media.example.com;" +
    "media-src 'self' blob:;connect-src 'self' http:;object-src 'none';frame-ancestors 'none'";

  it('widens the CSP for the nonce and the ad origins only, leaving the other directives alone', () => {
    const widened = widenPolicy(POLICY, { nonce: 'abc', origins: ['https://ads.example.com'] });
    assert.equal(
      widened,
      "default-src 'self';script-src 'self' 'nonce-abc' https://ads.example.com;" +
        "style-src 'self' 'nonce-abc' https://ads.example.com;" +
        "img-src 'self' data: https://media.example.com https://ads.example.com;" +
        "media-src 'self' blob: https://ads.example.com;connect-src 'self' http: https://ads.example.com;" +
        "object-src 'none';frame-ancestors 'none';frame-src https://ads.example.com",
    );
    assert.doesNotMatch(widenPolicy(POLICY, { nonce: 'abc', origins: [] }), /frame-src/);
  });

  it('lists the allowed origins, the VAST tag and the image slots, once each', () => {
    const origins = adOrigins(
      settings({
        vastTagUrl: 'https://ads.example.com/vast?x=1',
        allowedHosts: ['https://ads.example.com/', 'https://net.example.com'],
        slots: { sidebar: { kind: 'image', imageUrl: 'https://cdn.example.com/a.png' } },
      }),
    );
    assert.deepEqual(origins, [
      'https://ads.example.com',
      'https://net.example.com',
      'https://cdn.example.com',
    ]);
    assert.deepEqual(adOrigins(settings({ vastTagUrl: '/ads/vast.xml' })), []);
  });

  it("gives a snippet's script and style tags the nonce, and builds image slots escaped", () => {
    assert.equal(
      slotMarkup(
        { kind: 'html', html: '<SCRIPT src="https://n.example.com/a.js"></SCRIPT><style>.a{}</style>' },
        'N',
      ),
      '<SCRIPT nonce="N" src="https://n.example.com/a.js"></SCRIPT><style nonce="N">.a{}</style>',
    );
    assert.equal(
      slotMarkup({ kind: 'image', imageUrl: 'https://c.example.com/a.png?"><script>', alt: '<b>' }, 'N'),
      '<img src="https://c.example.com/a.png?&quot;&gt;&lt;script&gt;" alt="&lt;b&gt;" loading="lazy">',
    );
    assert.equal(slotMarkup({ kind: 'html', html: '  ' }, 'N'), undefined);
  });
});

describe('ad serving tokens', () => {
  const tokens = new AdServingTokens({ secretKey: 'a-test-secret-key-of-enough-length' } as AppConfig);
  const NOW = Date.parse('2026-12-01T12:00:00Z');

  it('gives back the serving a token was issued for, on the site that issued it, until it expires', () => {
    const { serving, token } = tokens.issue('cinema', AdEventSource.Player, 3, 60_000, NOW);
    assert.match(token, /^player\.[0-9a-f-]{36}\.3\.\d+\.[\w-]{43}$/);
    assert.deepEqual(tokens.check('cinema', token, NOW + 59_000), { serving });
    assert.deepEqual(tokens.check('cinema', token, NOW + 61_000), { refused: 'expired' });
    assert.deepEqual(tokens.check('quiet', token, NOW), { refused: 'invalid' });
  });

  it('refuses a token whose serving was changed, or that no key signed', () => {
    const { token } = tokens.issue('cinema', AdEventSource.Player, 1, 60_000, NOW);
    const [, id, ads, expires, mac] = token.split('.');
    const other = new AdServingTokens({ secretKey: 'another-secret-key-of-enough-length' } as AppConfig);
    for (const forged of [
      ['house', id, ads, expires, mac].join('.'),
      ['player', id, '9', expires, mac].join('.'),
      ['player', id, ads, String(Number(expires) + 3600), mac].join('.'),
      other.issue('cinema', AdEventSource.Player, 1, 60_000, NOW).token,
      `${token}.x`,
      '',
    ])
      assert.deepEqual(tokens.check('cinema', forged, NOW), { refused: 'invalid' }, forged);
  });
});

describe('ad statistics days', () => {
  it('lists each UTC day of a range, and refuses bad, reversed or year-long ranges', () => {
    assert.deepEqual(dayRange('2026-02-27', '2026-03-02'), [
      '2026-02-27',
      '2026-02-28',
      '2026-03-01',
      '2026-03-02',
    ]);
    for (const [from, to] of [
      ['2026-02-30', '2026-03-01'],
      ['2026-03-02', '2026-03-01'],
      ['2025-01-01', '2026-03-01'],
      // What `to=0000-01-01` alone made of the default 30 days before it.
      ['-000001-12-03', '0000-01-01'],
    ])
      assert.throws(() => dayRange(from, to), /from|date/);
  });
});

describe('ads admin form', () => {
  it('turns the flat form into the settings object the DTO checks', () => {
    const plain = settingsFromForm({
      enabled: 'on',
      vastTagUrl: ' https://ads.example.com/tag ',
      midrollOffsets: '300, 900\n1200',
      skipOffsetSeconds: '5',
      frequencyCapMinutes: 'soon',
      'slot.header.kind': 'html',
      'slot.header.html': '<div>x</div>',
      'slot.sidebar.kind': 'none',
      allowedHosts: 'https://a.example.com\r\n\r\nhttps://b.example.com',
    });
    assert.deepEqual(plain, {
      enabled: true,
      vastTagUrl: 'https://ads.example.com/tag',
      preroll: false,
      midrollOffsets: [300, 900, 1200],
      skipOffsetSeconds: 5,
      frequencyCapMinutes: 'soon',
      houseAd: undefined,
      slots: {
        header: {
          kind: 'html',
          html: '<div>x</div>',
          imageUrl: undefined,
          linkUrl: undefined,
          alt: undefined,
        },
      },
      allowedHosts: ['https://a.example.com', 'https://b.example.com'],
      shortener: undefined,
    });
  });

  it('takes a field sent twice (an array), or anything but text, as not filled in', () => {
    const plain = settingsFromForm({
      enabled: ['on', 'on'],
      vastTagUrl: { $ne: '' },
      midrollOffsets: ['60', '120'],
      'houseAd.fileId': ['a', 'b'],
    });
    assert.equal(plain.enabled, false);
    assert.equal(plain.vastTagUrl, undefined);
    assert.deepEqual(plain.midrollOffsets, []);
    assert.equal(plain.houseAd, undefined);
    assert.deepEqual(settingsFromForm(undefined).midrollOffsets, []);
  });
});
