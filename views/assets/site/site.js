// Every site page: instant search in the header, the service worker, the install prompt.
const MAX_QUERY = 200;
const DEBOUNCE_MS = 200;

function setupSearch() {
  const input = document.getElementById('site-search');
  const list = document.getElementById('search-suggestions');
  if (!input || !list) return;
  let timer;
  let active = -1;
  let controller;

  const options = () => [...list.querySelectorAll('li')];
  const close = () => {
    list.hidden = true;
    input.setAttribute('aria-expanded', 'false');
    input.removeAttribute('aria-activedescendant');
    active = -1;
  };
  const highlight = (index) => {
    const items = options();
    if (items.length === 0) return;
    active = (index + items.length) % items.length;
    items.forEach((item, i) => item.setAttribute('aria-selected', String(i === active)));
    input.setAttribute('aria-activedescendant', items[active].id);
    items[active].scrollIntoView({ block: 'nearest' });
  };
  const render = (items) => {
    list.replaceChildren(
      ...items.map((title, i) => {
        const li = document.createElement('li');
        li.id = `suggestion-${i}`;
        li.setAttribute('role', 'option');
        li.setAttribute('aria-selected', 'false');
        const a = document.createElement('a');
        a.href = `/title/${title.id}`;
        a.tabIndex = -1;
        const name = document.createElement('span');
        name.textContent = title.name; // text, never HTML
        const sub = document.createElement('small');
        sub.textContent = [title.kind, title.year].filter(Boolean).join(' · ');
        a.append(name, sub);
        li.append(a);
        return li;
      }),
    );
    if (items.length === 0) return close();
    list.hidden = false;
    input.setAttribute('aria-expanded', 'true');
    active = -1;
  };
  const lookup = async () => {
    const q = input.value.trim().slice(0, MAX_QUERY);
    if (q.length < 2) return close();
    controller?.abort();
    controller = new AbortController();
    try {
      const res = await fetch(`/api/titles?${new URLSearchParams({ q, pageSize: '8' })}`, {
        signal: controller.signal,
        headers: { accept: 'application/json' },
      });
      if (!res.ok) return close();
      const body = await res.json();
      render(body.items ?? []);
    } catch (error) {
      if (error.name !== 'AbortError') close();
    }
  };
  input.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(lookup, DEBOUNCE_MS);
  });
  input.addEventListener('keydown', (event) => {
    if (list.hidden) return;
    if (event.key === 'ArrowDown') highlight(active + 1);
    else if (event.key === 'ArrowUp') highlight(active - 1);
    else if (event.key === 'Escape') close();
    else if (event.key === 'Enter' && active >= 0) {
      event.preventDefault();
      location.href = options()[active].querySelector('a').href;
      return;
    } else return;
    event.preventDefault();
  });
  input.addEventListener('blur', () => setTimeout(close, 150));
}

function setupServiceWorker() {
  if (!('serviceWorker' in navigator)) return;
  navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch(() => {});
}

function setupInstall() {
  const button = document.querySelector('button.install');
  if (!button) return;
  let prompt;
  window.addEventListener('beforeinstallprompt', (event) => {
    event.preventDefault();
    prompt = event;
    button.hidden = false;
  });
  button.addEventListener('click', async () => {
    if (!prompt) return;
    button.hidden = true;
    await prompt.prompt();
    prompt = undefined;
  });
}

setupSearch();
setupServiceWorker();
setupInstall();
