// Home page: the visitor's "continue watching / reading / listening" rows. Each row section names its
// source (data-source); every source answers items that map to {href, name, sub, image, progress}.
const code = (season, episode) =>
  typeof season === 'number' && typeof episode === 'number'
    ? `S${String(season).padStart(2, '0')}E${String(episode).padStart(2, '0')}`
    : '';

/** How each kind's API item becomes a card; a kind without its own mapping already has the card shape. */
function timeLeft(seconds) {
  const minutes = Math.round(seconds / 60);
  return minutes >= 1 ? `${minutes} min left` : 'under a minute left';
}

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

async function fill(section) {
  const res = await fetch(section.dataset.source, { headers: { accept: 'application/json' } });
  if (!res.ok) return;
  const body = await res.json();
  const items = Array.isArray(body) ? body : (body.items ?? []);
  if (items.length === 0) return;
  const map = MAPPERS[section.dataset.kind] ?? ((item) => item);
  section.querySelector('.rail').replaceChildren(...items.map(map).map(card));
  section.hidden = false;
}

for (const section of document.querySelectorAll('section.continue[data-source]')) fill(section).catch(() => {});
