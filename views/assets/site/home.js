// Home page: the visitor's "continue watching" row (videos and chapters being read), from the progress API.
const section = document.getElementById('continue');
const list = document.getElementById('continue-list');

function card(item) {
  const li = document.createElement('li');
  const a = document.createElement('a');
  a.className = 'card';
  // A chapter being read opens the reader, which resumes at the saved page.
  a.href = item.chapterId ? `/read/${encodeURIComponent(item.chapterId)}` : `/play/${item.fileId}`;
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
  sub.textContent = item.chapterId
    ? [item.chapterLabel, `page ${item.position} of ${item.duration}`].filter(Boolean).join(' · ')
    : [episode, `${left} min left`].filter(Boolean).join(' · ');
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
  const reading = items.filter((item) => item.chapterId).length;
  const heading = document.getElementById('continue-heading');
  if (heading && reading > 0)
    heading.textContent = reading === items.length ? 'Continue reading' : 'Continue watching and reading';
  section.hidden = false;
}

if (section && list) showContinueWatching().catch(() => {});
