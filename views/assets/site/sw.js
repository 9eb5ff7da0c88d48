// StreamVault service worker: the app shell and recently seen posters, never media.
const VERSION = 'sv-site-v3';
const SHELL = `${VERSION}-shell`;
const IMAGES = `${VERSION}-images`;
const PAGES = `${VERSION}-pages`;
const MAX_IMAGES = 200;
const MAX_PAGES = 30;
const SHELL_URLS = [
  '/offline',
  '/assets/site/site.css',
  '/assets/site/site.js',
  '/assets/site/satellite.mjs',
  '/assets/site/home.js',
  '/assets/site/title.js',
  '/assets/site/comments.js',
  '/assets/site/player.js',
  '/assets/site/account.js',
  '/assets/site/icons/icon-192.png',
  '/manifest.webmanifest',
];

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches
      .open(SHELL)
      .then((cache) => cache.addAll(SHELL_URLS))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((key) => !key.startsWith(VERSION)).map((key) => caches.delete(key))))
      .then(() => self.clients.claim()),
  );
});

async function trim(cacheName, max) {
  const cache = await caches.open(cacheName);
  const keys = await cache.keys();
  await Promise.all(keys.slice(0, Math.max(0, keys.length - max)).map((key) => cache.delete(key)));
}

/** Pages: the network first; without one, the last copy of this page, else the offline page. */
async function page(request) {
  try {
    const response = await fetch(request);
    if (response.ok) {
      const copy = response.clone();
      caches.open(PAGES).then((cache) => cache.put(request, copy).then(() => trim(PAGES, MAX_PAGES)));
    }
    return response;
  } catch {
    return (await caches.match(request, { cacheName: PAGES })) ?? (await caches.match('/offline')) ?? Response.error();
  }
}

/** Posters and stills: the cache first (keyed without the signature, which changes). */
async function image(request) {
  const url = new URL(request.url);
  const key = url.origin + url.pathname;
  const cached = await caches.match(key, { cacheName: IMAGES });
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok) {
    const copy = response.clone();
    caches.open(IMAGES).then((cache) => cache.put(key, copy).then(() => trim(IMAGES, MAX_IMAGES)));
  }
  return response;
}

/** Shell assets: the cached copy at once, refreshed in the background. */
async function asset(request) {
  const cached = await caches.match(request, { cacheName: SHELL });
  const fresh = fetch(request)
    .then((response) => {
      if (response.ok) {
        const copy = response.clone();
        caches.open(SHELL).then((cache) => cache.put(request, copy));
      }
      return response;
    })
    .catch(() => cached ?? Response.error());
  return cached ?? fresh;
}

/**
 * Signing in or out — the account forms, the account page's script (the sign-in API, "Sign out this
 * browser" deleting its session), the API's logout, the admin panel's sign-in, a magic link: the pages
 * kept so far were another identity's, say a shared device's last user. Deleting any session counts
 * (the worker cannot tell whether it is this browser's; forgetting the pages costs only a refetch).
 */
function changesIdentity(request, path) {
  if (request.method === 'POST') {
    return /^\/(account\/sign-(in|out)|api\/auth\/(login|logout)|admin\/(login|logout))$/.test(path);
  }
  if (request.method === 'DELETE') return /^\/api\/auth\/sessions\/[^/]+$/.test(path);
  return request.mode === 'navigate' && path.startsWith('/auth/magic/');
}

self.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (changesIdentity(request, url.pathname)) {
    event.waitUntil(caches.delete(PAGES));
    return;
  }
  if (request.method !== 'GET') return;
  // The account page names who is signed in, and nothing on it works offline: never kept.
  if (url.pathname === '/account' || url.pathname.startsWith('/account/')) return;
  // The Stremio add-on's pages: their URLs hold app passwords, never kept in a cache.
  if (url.pathname.startsWith('/stremio/')) return;
  const path = url.pathname;
  // Media bytes, subtitles, the API and health checks always go to the network.
  if (/^\/(stream|subtitles|api|healthz|metrics|admin|auth|sw\.js)/.test(path)) return;
  if (/^\/media\/(artwork\/|[0-9a-f]{24}\/screenshots\/)/.test(path)) return event.respondWith(image(request));
  if (path.startsWith('/assets/') || path === '/manifest.webmanifest') return event.respondWith(asset(request));
  if (request.mode === 'navigate') return event.respondWith(page(request));
});
