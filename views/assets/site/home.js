// Home page: the visitor's "continue watching" row, from the progress API.
const section = document.getElementById('continue');
const list = document.getElementById('continue-list');

function card(item) {
  const li = document.createElement('li');
  const a = document.createElement('a');
  a.className = 'card';
  a.href = `/play/${item.fileId}`;
  const poster = document.createElement('span');
  poster.className = 'poster blank';
  poster.setAttribute('aria-hidden', 'true');
  const name = item.title?.name ?? 'Video';
  poster.textContent = [...name.trim()][0]?.toUpperCase() ?? '?';
  const label = document.createElement('span');
  label.className = 'name';
  label.textContent = name; // text, never HTML
  const sub = document.createElement('span');
  sub.className = 'sub';
  const episode =
    typeof item.season === "number" && typeof item.episode === "number"
      ? `S${String(item.season).padStart(2, '0')}E${String(item.episode).padStart(2, '0')}`
      : '';
  const left = Math.max(0, Math.round((item.duration - item.position) / 60));
  sub.textContent = [episode, `${left} min left`].filter(Boolean).join(' · ');
  const bar = document.createElement('span');
  bar.className = 'bar-progress';
  const fill = document.createElement('span');
  fill.style.width = `${Math.min(100, (100 * item.position) / item.duration)}%`;
  bar.append(fill);
  a.append(poster, label, sub, bar);
  li.append(a);
  return li;
}

async function showContinueWatching() {
  const res = await fetch('/api/progress/continue?limit=12', { headers: { accept: 'application/json' } });
  if (!res.ok) return;
  const body = await res.json();
  const items = Array.isArray(body) ? body : (body.items ?? []);
  if (items.length === 0) return;
  list.replaceChildren(...items.map(card));
  section.hidden = false;
}

if (section && list) showContinueWatching().catch(() => {});
