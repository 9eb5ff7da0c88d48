// Player page: resume, progress saving, track choices, next episode, shortcuts, speed, PiP; an
// episode's comments.
import { setupComments } from './comments.js';

const SAVE_EVERY_MS = 10_000;
const WATCHED_RATIO = 0.9;
const AUTOPLAY_SECONDS = 5;

const page = document.getElementById('player-page');
const video = document.getElementById('video');
const fileId = page.dataset.fileId;
const titleId = page.dataset.titleId;
const audioSelect = document.getElementById('audio-track');
const subtitleSelect = document.getElementById('subtitle-track');
const speedSelect = document.getElementById('speed');
const resumeStatus = document.getElementById('resume-status');
let lastSaved = -1;
let reportedWatched = false;

const clock = (seconds) => {
  const s = Math.floor(seconds);
  const parts = [Math.floor(s / 3600), Math.floor(s / 60) % 60, s % 60];
  return (parts[0] ? `${parts[0]}:` : '') + parts.slice(1).map((n) => String(n).padStart(2, '0')).join(':');
};

async function getJson(path) {
  const res = await fetch(path, { headers: { accept: 'application/json' } });
  return res.ok ? res.json() : undefined;
}

function progressBody() {
  const body = { position: Math.max(0, video.currentTime), duration: video.duration };
  if (audioSelect) body.audioTrack = audioSelect.value;
  if (subtitleSelect) body.subtitleTrack = subtitleSelect.value;
  return body;
}

/** Saves the position; `leaving` uses keepalive so the request outlives the page. */
function save(leaving = false) {
  if (!Number.isFinite(video.duration) || video.duration <= 0) return;
  if (!leaving && Math.abs(video.currentTime - lastSaved) < 0.5) return;
  lastSaved = video.currentTime;
  fetch(`/api/progress/${fileId}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(progressBody()),
    keepalive: leaving,
  }).catch(() => {});
}

async function resume() {
  const saved = await getJson(`/api/progress/${fileId}`).catch(() => undefined);
  if (!saved || saved.finished || !(saved.position > 3)) return;
  const seek = () => {
    if (saved.position < video.duration - 3) {
      video.currentTime = saved.position;
      lastSaved = saved.position;
      resumeStatus.textContent = `Resumed at ${clock(saved.position)}`;
    }
  };
  if (video.readyState >= 1) seek();
  else video.addEventListener('loadedmetadata', seek, { once: true });
}

function showSubtitles(key) {
  for (const track of video.textTracks) track.mode = 'disabled';
  if (key === 'off') return;
  const element = [...video.querySelectorAll('track')].find((t) => t.dataset.key === key);
  if (element) element.track.mode = 'showing';
}

function chooseAudio(key) {
  if (!audioSelect || !video.audioTracks) return;
  const index = [...audioSelect.options].findIndex((option) => option.value === key);
  for (let i = 0; i < video.audioTracks.length; i++) video.audioTracks[i].enabled = i === index;
}

async function restoreTracks() {
  if (!titleId) return;
  const choice = await getJson(`/api/progress/title/${titleId}`).catch(() => undefined);
  if (!choice) return;
  if (subtitleSelect && [...subtitleSelect.options].some((o) => o.value === choice.subtitleTrack)) {
    subtitleSelect.value = choice.subtitleTrack;
    showSubtitles(choice.subtitleTrack);
  }
  if (audioSelect && [...audioSelect.options].some((o) => o.value === choice.audioTrack)) {
    audioSelect.value = choice.audioTrack;
    chooseAudio(choice.audioTrack);
  }
}

function setupNextEpisode() {
  const next = page.dataset.next;
  const card = document.getElementById('next-card');
  if (!next || !card) return () => {};
  const countdown = document.getElementById('next-countdown');
  let timer;
  const cancel = () => {
    clearInterval(timer);
    timer = undefined;
    card.hidden = true;
  };
  document.getElementById('next-cancel').addEventListener('click', cancel);
  video.addEventListener('timeupdate', () => {
    if (video.duration - video.currentTime <= 20 && video.duration > 60 && !timer) card.hidden = false;
  });
  video.addEventListener('ended', () => {
    let left = AUTOPLAY_SECONDS;
    card.hidden = false;
    countdown.textContent = `in ${left} s`;
    timer = setInterval(() => {
      left -= 1;
      countdown.textContent = `in ${left} s`;
      if (left <= 0) {
        clearInterval(timer);
        location.href = next;
      }
    }, 1000);
  });
  return () => (location.href = next);
}

function setupShortcuts(goNext) {
  const pip = document.getElementById('pip');
  const togglePip = () =>
    document.pictureInPictureElement ? document.exitPictureInPicture() : video.requestPictureInPicture?.();
  if (document.pictureInPictureEnabled && pip) {
    pip.hidden = false;
    pip.addEventListener('click', () => togglePip()?.catch?.(() => {}));
  }
  const speeds = [...speedSelect.options].map((o) => Number(o.value));
  const setSpeed = (rate) => {
    video.playbackRate = rate;
    speedSelect.value = String(rate);
  };
  speedSelect.addEventListener('change', () => setSpeed(Number(speedSelect.value)));
  document.addEventListener('keydown', (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.target.closest?.('input, select, textarea, button, a, summary')) return;
    const key = event.key;
    const step = speeds.indexOf(video.playbackRate);
    const actions = {
      ' ': () => (video.paused ? video.play() : video.pause()),
      k: () => (video.paused ? video.play() : video.pause()),
      ArrowLeft: () => (video.currentTime = Math.max(0, video.currentTime - 10)),
      ArrowRight: () => (video.currentTime = Math.min(video.duration || 0, video.currentTime + 10)),
      ArrowUp: () => (video.volume = Math.min(1, video.volume + 0.1)),
      ArrowDown: () => (video.volume = Math.max(0, video.volume - 0.1)),
      m: () => (video.muted = !video.muted),
      f: () => (document.fullscreenElement ? document.exitFullscreen() : video.requestFullscreen()),
      c: () => {
        if (!subtitleSelect || subtitleSelect.options.length < 2) return;
        subtitleSelect.value = subtitleSelect.value === 'off' ? subtitleSelect.options[1].value : 'off';
        subtitleSelect.dispatchEvent(new Event('change'));
      },
      '>': () => setSpeed(speeds[Math.min(speeds.length - 1, step + 1)] ?? 1),
      '<': () => setSpeed(speeds[Math.max(0, step - 1)] ?? 1),
      p: () => togglePip(),
      n: goNext,
    };
    const action = actions[key.length === 1 ? key.toLowerCase() : key] ?? actions[key];
    if (!action) return;
    event.preventDefault();
    Promise.resolve(action()).catch(() => {});
  });
}

function setupSaving() {
  setInterval(() => {
    if (!video.paused) save();
  }, SAVE_EVERY_MS);
  video.addEventListener('pause', () => save());
  video.addEventListener('seeked', () => {
    if (video.paused) save();
  });
  video.addEventListener('timeupdate', () => {
    if (!reportedWatched && video.duration > 0 && video.currentTime >= video.duration * WATCHED_RATIO) {
      reportedWatched = true;
      save();
    }
  });
  video.addEventListener('ended', () => save());
  window.addEventListener('pagehide', () => save(true));
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'hidden') save(true);
  });
  subtitleSelect?.addEventListener('change', () => {
    showSubtitles(subtitleSelect.value);
    save(true);
  });
  audioSelect?.addEventListener('change', () => {
    chooseAudio(audioSelect.value);
    save(true);
  });
}

async function autoplay() {
  if (new URLSearchParams(location.search).get('autoplay') !== '1') return;
  try {
    await video.play();
  } catch {
    // Browsers allow autoplay without a gesture only when muted.
    video.muted = true;
    await video.play().catch(() => {});
  }
}

/** "Start a party": a room for this file, then its page (the share link is there). */
function setupParty() {
  const button = document.getElementById('start-party');
  if (!button) return;
  // Shown only where it works (the party needs this script).
  button.hidden = false;
  button.addEventListener('click', async () => {
    button.disabled = true;
    const res = await fetch('/api/party', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ fileId }),
    }).catch(() => undefined);
    const body = await res?.json().catch(() => undefined);
    if (res?.ok && body?.path) return location.assign(body.path);
    button.disabled = false;
    resumeStatus.textContent = body?.message ?? 'Could not start a party.';
  });
}

showSubtitles('off');
setupParty();
setupComments();
setupSaving();
setupShortcuts(setupNextEpisode());
restoreTracks().catch(() => {});
resume()
  .catch(() => {})
  .finally(() => autoplay());
