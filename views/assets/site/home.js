// Home page: the visitor's "continue watching / reading / listening" rows, from one answer of the
// progress API: each item goes to the row of its kind and becomes a card {href, name, sub, image, progress}.
const code = (season, episode) =>
  typeof season === 'number' && typeof episode === 'number'
    ? `S${String(season).padStart(2, '0')}E${String(episode).padStart(2, '0')}`
    : '';

function timeLeft(seconds) {
  const minutes = Math.round(seconds / 60);
  return minutes >= 1 ? `${minutes} min left` : 'under a minute left';
}

/** Which row an item belongs in: chapters are read, tracks listened to, the rest watched. */
const kindOf = (item) => (item.chapterId ? 'reading' : item.trackId ? 'listening' : 'watching');

/** How each kind's item becomes a card; a kind without its own mapping already has the card shape. */
const MAPPERS = {
  watching: (item) => ({
    href: `/play/${item.fileId}`,
    name: item.title?.name ?? 'Video',
    sub: [code(item.season, item.episode), timeLeft(Math.max(0, item.duration - item.position))]
      .filter(Boolean)
      .join(' · '),
    image: item.still ?? item.title?.poster ?? null,
    progress: item.duration > 0 ? item.position / item.duration : 0,
  }),
  // The reader resumes at the saved page.
  reading: (item) => ({
    href: `/read/${encodeURIComponent(item.chapterId)}`,
    name: item.title?.name ?? 'Chapter',
    sub: [item.chapterLabel, `page ${item.position} of ${item.duration}`].filter(Boolean).join(' · '),
    image: item.title?.poster ?? null,
    progress: item.duration > 0 ? item.position / item.duration : 0,
  }),
};

function card(item) {
  const li = document.createElement('li');
  const a = document.createElement('a');
  a.className = 'card continue-card';
  a.href = item.href;
  let thumb;
  if (item.image) {
    thumb = document.createElement('img');
    thumb.src = item.image;
    thumb.alt = '';
    thumb.loading = 'lazy';
  } else {
    thumb = document.createElement('span');
    thumb.setAttribute('aria-hidden', 'true');
    thumb.textContent = [...item.name.trim()][0]?.toUpperCase() ?? '?';
  }
  thumb.className = item.image ? 'thumb' : 'thumb blank';
  const label = document.createElement('span');
  label.className = 'name';
  label.textContent = item.name; // text, never HTML
  const sub = document.createElement('span');
  sub.className = 'sub';
  sub.textContent = item.sub ?? '';
  const bar = document.createElement('span');
  bar.className = 'bar-progress';
  const fill = document.createElement('span');
  fill.style.width = `${Math.round(100 * Math.min(1, Math.max(0, item.progress ?? 0)))}%`;
  bar.append(fill);
  a.append(thumb, label, sub, bar);
  li.append(a);
  return li;
}

async function fill(rows) {
  const res = await fetch(rows.dataset.source, { headers: { accept: 'application/json' } });
  if (!res.ok) return;
  const body = await res.json();
  const items = Array.isArray(body) ? body : (body.items ?? []);
  for (const section of rows.querySelectorAll('section.continue')) {
    const kind = section.dataset.kind;
    const mine = items.filter((item) => kindOf(item) === kind);
    if (mine.length === 0) continue;
    section.querySelector('.rail').replaceChildren(...mine.map(MAPPERS[kind] ?? ((item) => item)).map(card));
    section.hidden = false;
  }
}

const rows = document.getElementById('continue-rows');
if (rows) fill(rows).catch(() => {});
