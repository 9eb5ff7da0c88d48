// Music page: browse albums, artists and playlists from /api/music, play a queue with next/previous,
// shuffle, repeat, seek and volume; lock-screen controls through the Media Session API; shortcuts.
// Gapless where the browser allows: the next track loads in a second audio element while this one
// plays, and takes over the moment this one ends (no fetch, no decoder start-up in between).
const browse = document.getElementById('music-browse');
let audio = document.getElementById('audio');
let upcoming = document.getElementById('audio-next');
const queueList = document.getElementById('queue');
const $ = (id) => document.getElementById(id);

const state = { queue: [], index: -1, shuffle: false, repeat: 'off', history: [], upcoming: -1 };
const absolute = (url) => new URL(url, location.href).href;

const clock = (seconds) => {
  const s = Math.max(0, Math.floor(seconds || 0));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
};

async function api(path) {
  const res = await fetch(`/api/music/${path}`, { headers: { accept: 'application/json' } });
  if (!res.ok) throw new Error((await res.json().catch(() => ({}))).message || `HTTP ${res.status}`);
  return res.json();
}

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === 'class') node.className = value;
    else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else if (value !== undefined && value !== null) node.setAttribute(key, value);
  }
  for (const child of children) node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  return node;
}

function show(...nodes) {
  browse.replaceChildren(...nodes);
}

function albumGrid(albums) {
  return el(
    'ul',
    { class: 'grid' },
    ...albums.map((album) =>
      el(
        'li',
        {},
        el(
          'a',
          { class: 'card', href: `#album/${album.id}`, 'data-album': album.id },
          album.cover ? el('img', { class: 'album-cover', src: album.cover, alt: '', loading: 'lazy' }) : el('span', { class: 'album-cover' }),
          el('span', { class: 'name' }, album.name),
          el('span', { class: 'sub' }, `${album.artist}${album.year ? ` · ${album.year}` : ''}`),
        ),
      ),
    ),
  );
}

function trackList(tracks) {
  return el(
    'ol',
    { class: 'tracks' },
    ...tracks.map((track, position) =>
      el(
        'li',
        {},
        el(
          'button',
          { type: 'button', 'data-track': track.id, onclick: () => playList(tracks, position) },
          el('span', { class: 'no' }, track.track ?? position + 1),
          el('span', {}, track.title, el('small', {}, ` ${track.artist}`)),
          el('span', { class: 'len' }, clock(track.duration)),
        ),
      ),
    ),
  );
}

async function route() {
  const [view, id] = decodeURIComponent(location.hash.slice(1)).split('/');
  for (const tab of document.querySelectorAll('.music-tabs button')) {
    tab.setAttribute('aria-pressed', String(tab.dataset.view === (view === 'album' ? 'albums' : view === 'artist' ? 'artists' : view === 'playlist' ? 'playlists' : view || 'albums')));
  }
  try {
    if (view === 'album' && id) {
      const album = await api(`albums/${encodeURIComponent(id)}`);
      show(
        el('h2', {}, album.name),
        el('p', { class: 'muted' }, el('a', { href: `#artist/${album.artistId}` }, album.artist), album.year ? ` · ${album.year}` : ''),
        el('p', { class: 'row' }, el('button', { type: 'button', class: 'primary', id: 'play-all', onclick: () => playList(album.tracks, 0) }, 'Play album'),
          el('button', { type: 'button', id: 'queue-all', onclick: () => enqueue(album.tracks) }, 'Add to queue')),
        trackList(album.tracks),
      );
    } else if (view === 'artist' && id) {
      const artist = await api(`artists/${encodeURIComponent(id)}`);
      show(el('h2', {}, artist.name), albumGrid(artist.albums));
    } else if (view === 'artists') {
      const artists = await api('artists');
      show(el('ul', { class: 'tracks' }, ...artists.map((a) => el('li', {}, el('a', { href: `#artist/${a.id}` }, a.name), el('small', { class: 'muted' }, ` ${a.albumCount} album(s)`)))));
    } else if (view === 'playlist' && id) {
      const playlist = await api(`playlists/${encodeURIComponent(id)}`);
      show(el('h2', {}, playlist.name), trackList(playlist.tracks));
    } else if (view === 'playlists') {
      const playlists = await api('playlists');
      show(playlists.length === 0
        ? el('p', { class: 'muted' }, 'No playlists yet: make them in a Subsonic app.')
        : el('ul', { class: 'tracks' }, ...playlists.map((p) => el('li', {}, el('a', { href: `#playlist/${p.id}` }, p.name), el('small', { class: 'muted' }, ` ${p.songCount} song(s)`)))));
    } else {
      const { albums } = await api('albums');
      show(albums.length === 0 ? el('p', { class: 'muted' }, 'No music yet.') : albumGrid(albums));
    }
  } catch (error) {
    show(el('p', { class: 'error' }, error.message));
  }
}

function renderQueue() {
  queueList.replaceChildren(
    ...state.queue.map((track, position) =>
      el('li', { 'aria-current': position === state.index ? 'true' : undefined },
        el('button', { type: 'button', class: 'link', onclick: () => start(position) }, `${track.title} — ${track.artist}`)),
    ),
  );
}

function playList(tracks, position) {
  state.queue = [...tracks];
  state.history = [];
  start(position);
}

function enqueue(tracks) {
  state.queue.push(...tracks);
  renderQueue();
  if (state.index < 0) start(0);
  else prepareNext();
}

function start(position) {
  const track = state.queue[position];
  if (!track) return;
  if (state.index >= 0 && state.index !== position) state.history.push(state.index);
  state.index = position;
  if (upcoming.src === absolute(track.stream)) {
    // Preloaded: the waiting element becomes the player (ids swap, so `#audio` is what plays).
    const done = audio;
    done.pause();
    [audio, upcoming] = [upcoming, done];
    audio.id = 'audio';
    upcoming.id = 'audio-next';
    audio.volume = done.volume;
    audio.currentTime = 0;
    if (audio.readyState >= 1) showDuration(); // its metadata came while it waited
  } else audio.src = track.stream;
  void audio.play().catch(() => {});
  prepareNext();
  $('now-title').textContent = track.title;
  $('now-artist').textContent = `${track.artist} · ${track.album}`;
  const cover = $('now-cover');
  if (track.cover) {
    cover.src = track.cover;
    cover.hidden = false;
  } else cover.hidden = true;
  document.title = `${track.title} · ${track.artist}`;
  renderQueue();
  if ('mediaSession' in navigator) {
    navigator.mediaSession.metadata = new MediaMetadata({
      title: track.title,
      artist: track.artist,
      album: track.album,
      artwork: track.cover ? [{ src: track.cover, sizes: '1200x1200', type: 'image/jpeg' }] : [],
    });
  }
}

/** Loads what plays next into the waiting element (chosen now, so shuffle plays what was loaded). */
function prepareNext() {
  state.upcoming = state.repeat === 'one' ? -1 : nextIndex();
  const track = state.queue[state.upcoming];
  if (!track) {
    upcoming.removeAttribute('src');
    return;
  }
  if (upcoming.src !== absolute(track.stream)) {
    upcoming.src = track.stream;
    upcoming.load();
  }
}

function nextIndex() {
  if (state.queue.length === 0) return -1;
  if (state.shuffle && state.queue.length > 1) {
    let pick = state.index;
    while (pick === state.index) pick = Math.floor(Math.random() * state.queue.length);
    return pick;
  }
  if (state.index + 1 < state.queue.length) return state.index + 1;
  return state.repeat === 'all' ? 0 : -1;
}

function next() {
  const position = state.upcoming >= 0 && state.upcoming < state.queue.length ? state.upcoming : nextIndex();
  if (position >= 0) start(position);
}

function previous() {
  if (audio.currentTime > 3) {
    audio.currentTime = 0;
    return;
  }
  const back = state.shuffle ? state.history.pop() : state.index - 1;
  if (back !== undefined && back >= 0) {
    state.index = back;
    start(back);
    state.history.pop();
  } else audio.currentTime = 0;
}

function toggle() {
  if (state.index < 0 && state.queue.length > 0) start(0);
  else if (audio.paused) void audio.play().catch(() => {});
  else audio.pause();
}

const REPEAT = ['off', 'all', 'one'];
function cycleRepeat() {
  state.repeat = REPEAT[(REPEAT.indexOf(state.repeat) + 1) % REPEAT.length];
  if (state.index >= 0) prepareNext();
  $('repeat').dataset.mode = state.repeat;
  $('repeat').setAttribute('aria-label', `Repeat: ${state.repeat}`);
  $('repeat').textContent = state.repeat === 'one' ? 'Repeat 1' : 'Repeat';
}

function toggleShuffle() {
  state.shuffle = !state.shuffle;
  if (state.index >= 0) prepareNext();
  $('shuffle').setAttribute('aria-pressed', String(state.shuffle));
}

/** Listens on both elements, heeding only the one playing (the waiting one loads quietly). */
function onPlayer(type, listener) {
  for (const element of [audio, upcoming]) {
    element.addEventListener(type, (event) => {
      if (event.target === audio) listener(event);
    });
  }
}

onPlayer('ended', () => {
  if (state.repeat === 'one') {
    audio.currentTime = 0;
    void audio.play();
  } else next();
});
onPlayer('play', () => {
  $('play').textContent = 'Pause';
  $('play').setAttribute('aria-label', 'Pause');
});
onPlayer('pause', () => {
  $('play').textContent = 'Play';
  $('play').setAttribute('aria-label', 'Play');
});
function showDuration() {
  $('seek').max = String(audio.duration || 0);
  $('total').textContent = clock(audio.duration);
}
onPlayer('loadedmetadata', showDuration);
onPlayer('timeupdate', () => {
  $('seek').value = String(audio.currentTime);
  $('elapsed').textContent = clock(audio.currentTime);
  if ('mediaSession' in navigator && audio.duration && navigator.mediaSession.setPositionState) {
    navigator.mediaSession.setPositionState({ duration: audio.duration, position: Math.min(audio.currentTime, audio.duration), playbackRate: audio.playbackRate });
  }
});

$('play').addEventListener('click', toggle);
$('next').addEventListener('click', next);
$('prev').addEventListener('click', previous);
$('shuffle').addEventListener('click', toggleShuffle);
$('repeat').addEventListener('click', cycleRepeat);
$('seek').addEventListener('input', () => (audio.currentTime = Number($('seek').value)));
$('volume').addEventListener('input', () => (audio.volume = Number($('volume').value)));
for (const tab of document.querySelectorAll('.music-tabs button')) {
  tab.addEventListener('click', () => (location.hash = tab.dataset.view));
}

if ('mediaSession' in navigator) {
  const actions = {
    play: () => void audio.play(),
    pause: () => audio.pause(),
    previoustrack: previous,
    nexttrack: next,
    seekto: (details) => (audio.currentTime = details.seekTime),
    seekbackward: () => (audio.currentTime = Math.max(0, audio.currentTime - 10)),
    seekforward: () => (audio.currentTime += 10),
  };
  for (const [action, handler] of Object.entries(actions)) {
    try {
      navigator.mediaSession.setActionHandler(action, handler);
    } catch {
      // an action this browser does not know
    }
  }
}

document.addEventListener('keydown', (event) => {
  if (event.target.closest?.('input, textarea, select') || event.ctrlKey || event.metaKey || event.altKey) return;
  const key = event.key.toLowerCase();
  const actions = {
    ' ': toggle,
    n: next,
    p: previous,
    s: toggleShuffle,
    r: cycleRepeat,
    arrowleft: () => (audio.currentTime = Math.max(0, audio.currentTime - 5)),
    arrowright: () => (audio.currentTime += 5),
  };
  if (actions[key]) {
    event.preventDefault();
    actions[key]();
  }
});

window.addEventListener('hashchange', route);
if (browse) void route();
