// Reader page: paged (single or double, left-to-right or right-to-left) or vertical scroll, fit to
// width or height, keyboard, tap and swipe, preloading, and the reading progress of this visitor.
const PRELOAD = 3;
const WIDTHS = [320, 480, 720, 1080, 1440];
const SAVE_AFTER_MS = 400;
const SWIPE_PX = 50;

const reader = document.getElementById('reader');
const stage = document.getElementById('reader-stage');
const statusOutput = document.getElementById('page-status');
const note = document.getElementById('reader-note');
const modeSelect = document.getElementById('reader-mode');
const directionSelect = document.getElementById('reader-direction');
const fitSelect = document.getElementById('reader-fit');
const chapterSelect = document.getElementById('reader-chapter');
const chapterId = reader.dataset.chapterId;
const seriesId = reader.dataset.seriesId;
const pages = JSON.parse(reader.dataset.pages);
const progressUrl = `/api/readvault/chapters/${encodeURIComponent(chapterId)}/progress`;

const stored = (key, fallback, allowed) => {
  try {
    const value = localStorage.getItem(key);
    return allowed.includes(value) ? value : fallback;
  } catch {
    return fallback;
  }
};
const remember = (key, value) => {
  try {
    localStorage.setItem(key, value);
  } catch {
    // Private mode: the choice lasts for this page only.
  }
};

const state = {
  mode: stored('readvault:mode', 'single', ['single', 'double', 'webtoon']),
  direction: stored(`readvault:direction:${seriesId}`, reader.dataset.direction, ['ltr', 'rtl']),
  // A whole page on a landscape screen, the full width on a portrait one, unless chosen otherwise.
  fit: stored('readvault:fit', window.innerWidth > window.innerHeight ? 'height' : 'width', ['width', 'height']),
  /** The first page shown, from 0. */
  index: 0,
};
let saveTimer;
let lastSaved = 0;
let observer;

/** The listed width a page is asked for: just above what the screen shows, never above the page. */
function pageSrc(index, share = 1) {
  const page = pages[index];
  const need = Math.ceil((stage.clientWidth || window.innerWidth) * (window.devicePixelRatio || 1) * share);
  const width = WIDTHS.find((w) => w >= need) ?? WIDTHS[WIDTHS.length - 1];
  return width >= page.w ? page.url : `${page.url}?width=${width}`;
}

function image(index, share) {
  const img = document.createElement('img');
  img.className = 'page';
  img.width = pages[index].w;
  img.height = pages[index].h;
  img.alt = `Page ${index + 1}`;
  img.dataset.index = String(index);
  img.src = pageSrc(index, share);
  return img;
}

/** Double pages: the cover alone, then pairs (2-3, 4-5...); the last page may stand alone. */
function spreadStart(index) {
  if (state.mode !== 'double' || index === 0) return index;
  return index % 2 === 1 ? index : index - 1;
}
function spreadSize(index) {
  return state.mode === 'double' && index > 0 && index + 1 < pages.length ? 2 : 1;
}

const preloaded = new Set();
function preload(from) {
  for (let i = from; i < Math.min(pages.length, from + PRELOAD); i++) {
    const share = state.mode === 'double' && i > 0 ? 0.5 : 1;
    const src = pageSrc(i, share);
    if (preloaded.has(src)) continue;
    preloaded.add(src);
    const img = new Image();
    img.src = src;
  }
}

function showStatus() {
  const size = state.mode === 'webtoon' ? 1 : spreadSize(state.index);
  const shown = size === 2 ? `Pages ${state.index + 1}–${state.index + 2}` : `Page ${state.index + 1}`;
  statusOutput.textContent = `${shown} of ${pages.length}`;
}

function renderPaged() {
  state.index = spreadStart(state.index);
  const size = spreadSize(state.index);
  const shown = [];
  for (let i = state.index; i < state.index + size; i++) shown.push(image(i, size === 2 ? 0.5 : 1));
  stage.replaceChildren(...shown);
  stage.dataset.spread = String(size);
  preload(state.index + size);
}

function renderWebtoon() {
  observer?.disconnect();
  const column = pages.map((_, index) => {
    const img = image(index, 1);
    img.loading = Math.abs(index - state.index) <= PRELOAD ? 'eager' : 'lazy';
    return img;
  });
  stage.replaceChildren(...column);
  stage.dataset.spread = '1';
  const target = column[state.index];
  if (state.index > 0) target.scrollIntoView({ block: 'start' });
  // The page crossing the upper third of the screen is the current one.
  observer = new IntersectionObserver(
    (entries) => {
      for (const entry of entries) {
        if (!entry.isIntersecting) continue;
        const index = Number(entry.target.dataset.index);
        if (index === state.index) continue;
        state.index = index;
        showStatus();
        preload(index + 1);
        scheduleSave();
      }
    },
    { rootMargin: '-33% 0px -66% 0px' },
  );
  for (const img of column) observer.observe(img);
}

function render() {
  reader.dataset.mode = state.mode;
  reader.dataset.direction = state.direction;
  reader.dataset.fit = state.fit;
  modeSelect.value = state.mode;
  directionSelect.value = state.direction;
  fitSelect.value = state.fit;
  if (state.mode === 'webtoon') renderWebtoon();
  else {
    observer?.disconnect();
    renderPaged();
  }
  showStatus();
}

function go(index) {
  state.index = Math.max(0, Math.min(pages.length - 1, index));
  if (state.mode === 'webtoon') {
    stage.querySelector(`img[data-index="${state.index}"]`)?.scrollIntoView({ block: 'start' });
  } else renderPaged();
  showStatus();
  scheduleSave();
}

function next() {
  const last = state.index + (state.mode === 'webtoon' ? 1 : spreadSize(state.index)) - 1;
  if (last >= pages.length - 1) {
    saveNow();
    if (reader.dataset.next) window.location.assign(reader.dataset.next);
    else note.textContent = 'This is the last chapter.';
    return;
  }
  note.textContent = '';
  go(last + 1);
}

function previous() {
  if (state.index === 0) {
    if (reader.dataset.previous) window.location.assign(`${reader.dataset.previous}?page=last`);
    else note.textContent = 'This is the first page of the first chapter.';
    return;
  }
  note.textContent = '';
  go(spreadStart(state.index - 1));
}

/** The arrow pointing the way pages turn goes forward: right in left-to-right, left in right-to-left. */
const towards = (side) => ((side === 'right') === (state.direction === 'ltr') ? next() : previous());

function saveNow(leaving = false) {
  clearTimeout(saveTimer);
  const page = state.index + (state.mode === 'webtoon' ? 1 : spreadSize(state.index));
  if (page === lastSaved) return;
  lastSaved = page;
  fetch(progressUrl, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ page }),
    keepalive: leaving,
  }).catch(() => {});
}

function scheduleSave() {
  clearTimeout(saveTimer);
  saveTimer = setTimeout(saveNow, SAVE_AFTER_MS);
}

async function startPage() {
  const asked = new URLSearchParams(window.location.search).get('page');
  if (asked === 'last') return pages.length - 1;
  if (asked && /^\d+$/.test(asked)) return Math.min(pages.length, Math.max(1, Number(asked))) - 1;
  const res = await fetch(progressUrl, { headers: { accept: 'application/json' } }).catch(() => undefined);
  if (!res?.ok) return 0;
  const saved = await res.json();
  if (saved.finished || !(saved.page > 1)) return 0;
  lastSaved = saved.page;
  note.textContent = `Resumed at page ${saved.page}.`;
  return saved.page - 1;
}

document.addEventListener('keydown', (event) => {
  if (event.target instanceof HTMLSelectElement || event.altKey || event.ctrlKey || event.metaKey) return;
  if (event.target instanceof HTMLElement && event.target.closest('form.search')) return;
  const webtoon = state.mode === 'webtoon';
  let handled = true;
  if (event.key === 'ArrowRight' && !webtoon) towards('right');
  else if (event.key === 'ArrowLeft' && !webtoon) towards('left');
  else if ((event.key === ' ' || event.key === 'PageDown') && !webtoon) {
    if (event.shiftKey) previous();
    else next();
  } else if (event.key === 'PageUp' && !webtoon) previous();
  else if (event.key === 'ArrowDown' && !webtoon) next();
  else if (event.key === 'ArrowUp' && !webtoon) previous();
  else handled = false;
  if (handled) event.preventDefault();
});

// Taps: the outer thirds turn pages (as the arrows would), the middle shows or hides the controls.
stage.addEventListener('click', (event) => {
  if (state.mode === 'webtoon') return;
  const box = stage.getBoundingClientRect();
  const x = (event.clientX - box.left) / box.width;
  if (x < 1 / 3) towards('left');
  else if (x > 2 / 3) towards('right');
  else reader.classList.toggle('immersive');
});

// Swipes: dragging the page to the left uncovers the one on its right. (A swipe is no tap: the
// browser sends no click for a touch that moved.)
let touchStart;
stage.addEventListener(
  'touchstart',
  (event) => {
    touchStart = { x: event.touches[0].clientX, y: event.touches[0].clientY };
  },
  { passive: true },
);
stage.addEventListener('touchend', (event) => {
  if (!touchStart || state.mode === 'webtoon') return;
  const dx = event.changedTouches[0].clientX - touchStart.x;
  const dy = event.changedTouches[0].clientY - touchStart.y;
  touchStart = undefined;
  if (Math.abs(dx) < SWIPE_PX || Math.abs(dx) < Math.abs(dy)) return;
  towards(dx < 0 ? 'right' : 'left');
});

document.getElementById('page-next').addEventListener('click', next);
document.getElementById('page-previous').addEventListener('click', previous);
modeSelect.addEventListener('change', () => {
  state.mode = modeSelect.value;
  remember('readvault:mode', state.mode);
  render();
});
directionSelect.addEventListener('change', () => {
  state.direction = directionSelect.value;
  remember(`readvault:direction:${seriesId}`, state.direction);
  render();
});
fitSelect.addEventListener('change', () => {
  state.fit = fitSelect.value;
  remember('readvault:fit', state.fit);
  render();
});
chapterSelect.addEventListener('change', () => window.location.assign(chapterSelect.value));
window.addEventListener('pagehide', () => saveNow(true));

startPage()
  .catch(() => 0)
  .then((index) => {
    state.index = index;
    render();
    if (index === 0) scheduleSave();
    reader.dataset.ready = 'true';
  });
