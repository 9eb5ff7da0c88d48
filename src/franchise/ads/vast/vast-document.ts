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
  /** Absolute URL of our tracking endpoint; events are appended as `/<event>?source=house`. */
  trackingBase: string;
  /** Unique per response (VAST 4.1 AdServingId). */
  servingId: string;
}

const TRACKED = ['start', 'firstQuartile', 'midpoint', 'thirdQuartile', 'complete', 'skip'] as const;

function xmlText(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

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
    xmlText(`${creative.trackingBase}/${event}?source=house${extra}`);
  const size =
    creative.width && creative.height
      ? ` width="${creative.width}" height="${creative.height}"`
      : ' width="0" height="0"';
  const skip = creative.skipOffsetSeconds > 0 ? ` skipoffset="${vastTime(creative.skipOffsetSeconds)}"` : '';
  const adId = xmlText(`house-${creative.id}`);
  return `${HEADER}<VAST version="4.1" xmlns="http://www.iab.com/VAST">
  <Ad id="${adId}">
    <InLine>
      <AdSystem version="1">StreamVault</AdSystem>
      <Error>${track('error', '&code=[ERRORCODE]')}</Error>
      <Impression id="streamvault">${track('impression')}</Impression>
      <AdServingId>${xmlText(creative.servingId)}</AdServingId>
      <AdTitle>${xmlText(creative.title)}</AdTitle>
      <Creatives>
        <Creative id="${xmlText(creative.id)}" adId="${adId}">
          <UniversalAdId idRegistry="streamvault">${xmlText(creative.id)}</UniversalAdId>
          <Linear${skip}>
            <Duration>${vastTime(creative.durationSeconds)}</Duration>
            <TrackingEvents>
${TRACKED.map((event) => `              <Tracking event="${event}">${track(event)}</Tracking>`).join('\n')}
            </TrackingEvents>
            <VideoClicks>
              <ClickThrough id="streamvault">${xmlText(creative.clickThrough)}</ClickThrough>
              <ClickTracking id="streamvault">${track('click')}</ClickTracking>
            </VideoClicks>
            <MediaFiles>
              <MediaFile id="${xmlText(creative.id)}" delivery="progressive" type="${xmlText(creative.mime)}"${size}>${xmlText(creative.mediaUrl)}</MediaFile>
            </MediaFiles>
          </Linear>
        </Creative>
      </Creatives>
    </InLine>
  </Ad>
</VAST>
`;
}
