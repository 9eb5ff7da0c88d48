// Player ads: a VAST pre-roll before the content and mid-rolls at the owner's offsets. The VAST tag is
// fetched and parsed (wrappers followed) by @dailymotion/vast-client, served from this origin; its
// tracking (impression, start, quartiles, complete, skip, click, errors) is fired by its VASTTracker,
// and the same events are reported to our own counters. Any ad failure plays the content at once.
import { VASTClient, VASTTracker } from '/ads/vast-client.js';

const page = document.getElementById('player-page');
const content = document.getElementById('video');
const overlay = document.getElementById('ad-break');
const adVideo = document.getElementById('ad-video');
const skipButton = document.getElementById('ad-skip');
const visitButton = document.getElementById('ad-visit');
const countdown = document.getElementById('ad-countdown');
const config = JSON.parse(page.dataset.ads);
const client = new VASTClient();
const QUARTILES = [
  [0.25, 'firstQuartile'],
  [0.5, 'midpoint'],
  [0.75, 'thirdQuartile'],
];

let prerollDue = config.preroll;
let inBreak = false;
// Which of the page's breaks is playing: the page's token counts each event once per break.
let breaksPlayed = 0;
const midrollsDue = [...config.midrolls];
let lastContentTime = 0;

/** Our own counters (per owner per day); the ad's own tracking goes through the VASTTracker. */
function report(event, kind, ad) {
  const token = encodeURIComponent(config.trackToken);
  const url = `${config.trackUrl}/${event}?break=${kind}&ad=${ad}&token=${token}`;
  if (!navigator.sendBeacon?.(url)) fetch(url, { method: 'POST', keepalive: true }).catch(() => {});
}

/** The VAST response within the time limit, or undefined (no ad, a broken tag, a timeout). */
async function fetchAd() {
  let timer;
  const timeout = new Promise((resolve) => (timer = setTimeout(() => resolve(undefined), config.timeoutMs)));
  try {
    const response = await Promise.race([
      client.get(config.vastTagUrl, { timeout: config.timeoutMs, wrapperLimit: config.wrapperLimit }),
      timeout,
    ]);
    for (const ad of response?.ads ?? []) {
      const creative = ad.creatives.find((candidate) => candidate.type === 'linear');
      const media = creative?.mediaFiles.find((file) => file.fileURL && adVideo.canPlayType(file.mimeType));
      if (creative && media) return { ad, creative, media };
      if (creative) new VASTTracker(client, ad, creative).error({ ERRORCODE: 403 });
    }
  } catch {
    // Malformed, empty, looping wrappers, unreachable: the content plays.
  } finally {
    clearTimeout(timer);
  }
  return undefined;
}

async function startMuted(video) {
  try {
    await video.play();
  } catch {
    // Without a gesture browsers allow autoplay only when muted.
    video.muted = true;
    await video.play();
  }
}

/** Plays one linear ad over the content; resolves when it ended, was skipped or failed. */
function playAd({ ad, creative, media }, kind, index) {
  const tracker = new VASTTracker(client, ad, creative);
  const track = (event) => report(event, kind, index);
  const skipDelay = typeof creative.skipDelay === 'number' && creative.skipDelay >= 0 ? creative.skipDelay : undefined;
  const reached = new Set();
  let started = false;
  return new Promise((resolve) => {
    const controller = new AbortController();
    const on = (target, type, listener) => target.addEventListener(type, listener, { signal: controller.signal });
    const finish = () => {
      controller.abort();
      clearTimeout(stall);
      adVideo.pause();
      adVideo.removeAttribute('src');
      adVideo.load();
      overlay.hidden = true;
      skipButton.hidden = true;
      resolve();
    };
    const fail = (code) => {
      tracker.error({ ERRORCODE: code });
      track('error');
      finish();
    };
    // Nothing playing within the time limit (a dead creative URL): the content goes on.
    const stall = setTimeout(() => fail(402), config.timeoutMs);
    on(adVideo, 'loadedmetadata', () => tracker.setDuration(adVideo.duration));
    on(adVideo, 'playing', () => {
      if (started) return;
      started = true;
      clearTimeout(stall);
      tracker.trackImpression();
      track('impression');
      track('start');
    });
    on(adVideo, 'timeupdate', () => {
      if (!started) return;
      tracker.setProgress(adVideo.currentTime);
      const duration = adVideo.duration;
      for (const [share, event] of QUARTILES) {
        if (!reached.has(event) && duration > 0 && adVideo.currentTime >= duration * share) {
          reached.add(event);
          track(event);
        }
      }
      if (skipDelay !== undefined) {
        const left = Math.ceil(skipDelay - adVideo.currentTime);
        skipButton.hidden = left > 0;
        countdown.textContent = left > 0 ? `· skip in ${left} s` : '';
      }
    });
    on(adVideo, 'ended', () => {
      tracker.complete();
      track('complete');
      finish();
    });
    on(adVideo, 'error', () => fail(405));
    on(skipButton, 'click', () => {
      tracker.skip();
      track('skip');
      finish();
    });
    // One click per ad is reported (ours and the ad's ClickTracking); later clicks only open the
    // advertiser again.
    let advertiser;
    const visit = () => {
      if (advertiser !== undefined) {
        openAdvertiser(advertiser);
        return;
      }
      advertiser = '';
      tracker.click();
      track('click');
    };
    on(visitButton, 'click', visit);
    on(adVideo, 'click', visit);
    // The tracker is this ad's alone, so its listener needs no removal.
    tracker.on('clickthrough', (url) => {
      advertiser = url;
      openAdvertiser(url);
    });
    countdown.textContent = '';
    overlay.hidden = false;
    adVideo.src = media.fileURL;
    startMuted(adVideo).catch(() => fail(400));
  });
}

function openAdvertiser(url) {
  if (typeof url === 'string' && /^https?:/.test(url)) window.open(url, '_blank', 'noopener');
}

/** Holds the content, plays an ad if the tag has one, then plays the content. */
async function adBreak(kind) {
  inBreak = true;
  const index = breaksPlayed++;
  content.pause();
  try {
    const found = await fetchAd();
    if (found) await playAd(found, kind, index);
  } finally {
    inBreak = false;
    startMuted(content).catch(() => {});
  }
}

content.addEventListener('play', () => {
  if (inBreak) {
    content.pause();
    return;
  }
  if (prerollDue) {
    prerollDue = false;
    adBreak('pre');
  }
});

content.addEventListener('timeupdate', () => {
  const now = content.currentTime;
  // Only playing through an offset starts a mid-roll; seeking past one does not.
  const due = midrollsDue.findIndex((offset) => lastContentTime < offset && offset <= now && now - lastContentTime < 2);
  lastContentTime = now;
  if (due >= 0 && !inBreak) {
    midrollsDue.splice(due, 1);
    adBreak('mid');
  }
});
content.addEventListener('seeked', () => (lastContentTime = content.currentTime));

// The content was already asked to play before this module ran (autoplay).
if (!content.paused && prerollDue) {
  prerollDue = false;
  adBreak('pre');
}
