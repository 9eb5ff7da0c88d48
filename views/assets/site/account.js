// Account page: sign in and out, sessions, app passwords — all through the auth API.
const json = { 'content-type': 'application/json', accept: 'application/json' };

async function message(res, fallback) {
  try {
    return (await res.json()).message || fallback;
  } catch {
    return fallback;
  }
}

const dateLabel = (value) => (value ? new Date(value).toISOString().slice(0, 16).replace('T', ' ') : 'never');

function cell(text) {
  const td = document.createElement('td');
  td.textContent = text; // text, never HTML
  return td;
}

function actionCell(label, onClick) {
  const td = document.createElement('td');
  const button = document.createElement('button');
  button.type = 'button';
  button.className = 'danger';
  button.textContent = label;
  button.addEventListener('click', onClick);
  td.append(button);
  return td;
}

function setupSignIn() {
  const form = document.getElementById('sign-in-form');
  if (!form) return;
  const error = document.getElementById('sign-in-error');
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    error.textContent = '';
    const res = await fetch('/api/auth/login', {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ username: form.username.value, password: form.password.value }),
    });
    if (res.ok) location.reload();
    else error.textContent = await message(res, 'Sign-in failed.');
  });
}

async function loadSessions() {
  const body = document.getElementById('sessions');
  const error = document.getElementById('sessions-error');
  const res = await fetch('/api/auth/sessions', { headers: json });
  if (!res.ok) {
    error.textContent = await message(res, 'Sessions could not be loaded.');
    return;
  }
  const sessions = await res.json();
  body.replaceChildren(
    ...sessions.map((session) => {
      const tr = document.createElement('tr');
      const device = `${session.userAgent ?? 'Unknown device'}${session.current ? ' (this browser)' : ''}`;
      tr.append(cell(device), cell(dateLabel(session.createdAt)), cell(session.method));
      tr.append(
        actionCell(session.current ? 'Sign out this browser' : 'Revoke', async () => {
          const done = await fetch(`/api/auth/sessions/${session.id}`, { method: 'DELETE' });
          if (!done.ok) error.textContent = await message(done, 'The session was not revoked.');
          else if (session.current) location.reload();
          else tr.remove();
        }),
      );
      return tr;
    }),
  );
}

async function loadAppPasswords() {
  const body = document.getElementById('app-passwords');
  const error = document.getElementById('app-passwords-error');
  const res = await fetch('/api/auth/app-passwords', { headers: json });
  if (!res.ok) {
    error.textContent = await message(res, 'App passwords could not be loaded.');
    return;
  }
  const entries = await res.json();
  body.replaceChildren(
    ...entries.map((entry) => {
      const tr = document.createElement('tr');
      tr.append(cell(entry.label), cell(dateLabel(entry.createdAt)), cell(dateLabel(entry.lastUsedAt)));
      tr.append(
        actionCell('Delete', async () => {
          const done = await fetch(`/api/auth/app-passwords/${entry.id}`, { method: 'DELETE' });
          if (done.ok) tr.remove();
          else error.textContent = await message(done, 'The app password was not deleted.');
        }),
      );
      return tr;
    }),
  );
}

function setupAccount() {
  // Signing out is the page's own form post (CSRF-checked), with or without this script.
  if (!document.getElementById('sign-out-form')) return;
  const form = document.getElementById('app-password-form');
  const error = document.getElementById('app-passwords-error');
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    error.textContent = '';
    const res = await fetch('/api/auth/app-passwords', {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ label: form.label.value }),
    });
    if (!res.ok) {
      error.textContent = await message(res, 'The app password was not created.');
      return;
    }
    const created = await res.json();
    document.getElementById('new-app-password-value').textContent = created.password;
    document.getElementById('new-app-password').hidden = false;
    form.reset();
    await loadAppPasswords();
  });
  loadSessions().catch(() => {});
  loadAppPasswords().catch(() => {});
}

// Stremio: a new app password named "Stremio" in the add-on's install URL (see src/site/stremio).
function setupStremio() {
  const section = document.getElementById('stremio');
  if (!section) return;
  const error = document.getElementById('stremio-error');
  document.getElementById('stremio-create').addEventListener('click', async () => {
    error.textContent = '';
    const res = await fetch('/api/auth/app-passwords', {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ label: 'Stremio' }),
    });
    if (!res.ok) {
      error.textContent = await message(res, 'The install link was not created.');
      return;
    }
    const { password } = await res.json();
    const base = `${section.dataset.addonBase}${encodeURIComponent(password)}`;
    const manifest = `${base}/manifest.json`;
    document.getElementById('stremio-install').href = manifest.replace(/^https?:\/\//, 'stremio://');
    document.getElementById('stremio-configure').href = `${base}/configure`;
    document.getElementById('stremio-manifest').textContent = manifest;
    document.getElementById('stremio-links').hidden = false;
    await loadAppPasswords();
  });
}

setupSignIn();
setupAccount();
setupStremio();
