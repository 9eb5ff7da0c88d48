import { escapeXml } from '../../../core/util/xml-text.js';
/** A directly sold linear creative, as our VAST endpoint describes it. */
export interface HouseCreative {
  /** Stable id of the creative (the library file id). */
  id: string;
  title: string;
  /** Absolute URL of the video. */
  mediaUrl: string;
  mime: string;
  width?: number;
  height?: number;
  durationSeconds: number;
  /** 0: not skippable. */
  skipOffsetSeconds: number;
  clickThrough: string;
  /** Absolute URL of our tracking endpoint; events are appended as `/<event>?source=house&token=…`. */
  trackingBase: string;
  /** Unique per response (VAST 4.1 AdServingId). */
  servingId: string;
  /** The serving's signed token: without it our tracking endpoint counts nothing. */
  token: string;
}

const TRACKED = ['start', 'firstQuartile', 'midpoint', 'thirdQuartile', 'complete', 'skip'] as const;

/** `HH:MM:SS.mmm`, VAST's time format. */
export function vastTime(seconds: number): string {
  const ms = Math.max(0, Math.round(seconds * 1000));
  const pad = (value: number, width = 2) => String(value).padStart(width, '0');
  return `${pad(Math.floor(ms / 3_600_000))}:${pad(Math.floor(ms / 60_000) % 60)}:${pad(Math.floor(ms / 1000) % 60)}.${pad(ms % 1000, 3)}`;
}

const HEADER = '<?xml version="1.0" encoding="UTF-8"?>\n';

/** A VAST 4.1 response with no ad: players take it as "nothing to show" and play the content. */
export function emptyVast(): string {
  return `${HEADER}<VAST version="4.1" xmlns="http://www.iab.com/VAST"/>\n`;
}

/** A VAST 4.1 InLine document for one linear house creative, its beacons pointing at our tracking URL. */
export function houseAdVast(creative: HouseCreative): string {
  const track = (event: string, extra = '') =>
    escapeXml(
      `${creative.trackingBase}/${event}?source=house&token=${encodeURIComponent(creative.token)}${extra}`,
    );
  const size =
    creative.width && creative.height
      ? ` width="${creative.width}" height="${creative.height}"`
      : ' width="0" height="0"';
  const skip = creative.skipOffsetSeconds > 0 ? ` skipoffset="${vastTime(creative.skipOffsetSeconds)}"` : '';
  const adId = escapeXml(`house-${creative.id}`);
  return `${HEADER}<VAST version="4.1" xmlns="http://www.iab.com/VAST">
  <Ad id="${adId}">
    <InLine>
      <AdSystem version="1">StreamVault</AdSystem>
      <Error>${track('error', '&code=[ERRORCODE]')}</Error>
      <Impression id="streamvault">${track('impression')}</Impression>
      <AdServingId>${escapeXml(creative.servingId)}</AdServingId>
      <AdTitle>${escapeXml(creative.title)}</AdTitle>
      <Creatives>
        <Creative id="${escapeXml(creative.id)}" adId="${adId}">
          <UniversalAdId idRegistry="streamvault">${escapeXml(creative.id)}</UniversalAdId>
          <Linear${skip}>
            <Duration>${vastTime(creative.durationSeconds)}</Duration>
            <TrackingEvents>
${TRACKED.map((event) => `              <Tracking event="${event}">${track(event)}</Tracking>`).join('\n')}
            </TrackingEvents>
            <VideoClicks>
              <ClickThrough id="streamvault">${escapeXml(creative.clickThrough)}</ClickThrough>
              <ClickTracking id="streamvault">${track('click')}</ClickTracking>
            </VideoClicks>
            <MediaFiles>
              <MediaFile id="${escapeXml(creative.id)}" delivery="progressive" type="${escapeXml(creative.mime)}"${size}>${escapeXml(creative.mediaUrl)}</MediaFile>
            </MediaFiles>
          </Linear>
        </Creative>
      </Creatives>
    </InLine>
  </Ad>
</VAST>
`;
}
