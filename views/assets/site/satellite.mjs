// Satellite fail-over for the installed PWA (no build step; the same module runs in Node's tests).
// The page carries the install's Ed25519 public key and mirror list (<meta name="sv-satellite">),
// kept in localStorage so they survive the origin going away. When the origin fails (network error or
// 5xx, FAILURES_BEFORE_FAILOVER checks in a row), the signed document is fetched from the mirrors,
// verified (signature over the exact payload bytes, expiry, version not older than the last accepted
// one), and the page moves to the first listed origin that answers /healthz.

export const FAILURES_BEFORE_FAILOVER = 3;
const STORAGE_KEY = 'sv-satellite';

function bytesFromBase64url(text) {
  if (typeof text !== 'string' || !/^[A-Za-z0-9_-]*={0,2}$/.test(text)) throw new Error('not base64url');
  const base64 = text.replace(/-/g, '+').replace(/_/g, '/').replace(/=+$/, '');
  const binary = atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4));
  return Uint8Array.from(binary, (char) => char.charCodeAt(0));
}

function isOrigin(value) {
  try {
    const url = new URL(value);
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.origin === value.replace(/\/+$/, '');
  } catch {
    return false;
  }
}

/**
 * Checks a satellite document against the install's public key. Resolves to `{ ok: true, payload }` or
 * `{ ok: false, reason }` (`malformed`, `bad-signature`, `expired`, `older`); never throws.
 */
export async function verifySatelliteDocument(doc, publicKey, { now = Date.now(), minVersion = 0 } = {}) {
  let payloadBytes;
  let signature;
  let key;
  try {
    if (!doc || typeof doc.payload !== 'string' || typeof doc.signature !== 'string') throw new Error();
    payloadBytes = bytesFromBase64url(doc.payload);
    signature = bytesFromBase64url(doc.signature);
    key = await crypto.subtle.importKey('raw', bytesFromBase64url(publicKey), { name: 'Ed25519' }, false, [
      'verify',
    ]);
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  const valid = await crypto.subtle.verify({ name: 'Ed25519' }, key, signature, payloadBytes).catch(() => false);
  if (!valid) return { ok: false, reason: 'bad-signature' };
  let payload;
  try {
    payload = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(payloadBytes));
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  const expiresAt = Date.parse(payload?.expiresAt);
  if (
    !Number.isInteger(payload?.version) ||
    payload.version < 1 ||
    Number.isNaN(expiresAt) ||
    !Array.isArray(payload.origins) ||
    !payload.origins.every((origin) => typeof origin === 'string' && isOrigin(origin))
  ) {
    return { ok: false, reason: 'malformed' };
  }
  if (expiresAt <= now) return { ok: false, reason: 'expired' };
  if (payload.version < minVersion) return { ok: false, reason: 'older' };
  return { ok: true, payload };
}

/** The first mirror's document that verifies, or `{ ok: false, reasons }` listing why each failed. */
export async function fetchVerifiedDocument(mirrors, publicKey, { fetchFn = fetch, now, minVersion } = {}) {
  const reasons = [];
  for (const mirror of mirrors) {
    try {
      const res = await fetchFn(mirror, { cache: 'no-store', credentials: 'omit' });
      if (!res.ok) {
        reasons.push(`${mirror}: HTTP ${res.status}`);
        continue;
      }
      const verdict = await verifySatelliteDocument(await res.json(), publicKey, { now, minVersion });
      if (verdict.ok) return verdict;
      reasons.push(`${mirror}: ${verdict.reason}`);
    } catch (error) {
      reasons.push(`${mirror}: ${error?.message ?? 'unreachable'}`);
    }
  }
  return { ok: false, reasons };
}

/** The first origin (other than `exclude`) whose /healthz answers 200. */
export async function firstHealthyOrigin(origins, { fetchFn = fetch, exclude } = {}) {
  for (const origin of origins) {
    if (origin === exclude) continue;
    try {
      const res = await fetchFn(`${origin}/healthz`, { cache: 'no-store', credentials: 'omit' });
      if (res.ok) return origin;
    } catch {
      // unreachable: try the next one
    }
  }
  return undefined;
}

/** An origin failed when the check threw (network) or answered 5xx. */
export async function originFails(origin, fetchFn = fetch) {
  try {
    const res = await fetchFn(`${origin}/healthz`, { cache: 'no-store', credentials: 'omit' });
    return res.status >= 500;
  } catch {
    return true;
  }
}

/**
 * Watches the current origin and fails over. `state` is what localStorage keeps: the key, the mirrors
 * and the last accepted version. Reports progress through `onStatus(status, detail)`:
 * `checking`, `moving`, `refused` (no mirror had a valid document), `unreachable` (none of its origins answered).
 */
export function createSatelliteWatch({ state, origin, fetchFn = fetch, onStatus = () => {}, move, save }) {
  let failures = 0;
  let busy = false;
  return {
    async check() {
      if (busy) return;
      busy = true;
      try {
        if (!(await originFails(origin, fetchFn))) {
          failures = 0;
          onStatus('ok');
          return;
        }
        failures += 1;
        onStatus('checking', { failures });
        if (failures < FAILURES_BEFORE_FAILOVER) return;
        const verdict = await fetchVerifiedDocument(state.mirrors, state.publicKey, {
          fetchFn,
          minVersion: state.version ?? 0,
        });
        if (!verdict.ok) {
          onStatus('refused', { reasons: verdict.reasons });
          return;
        }
        save({ ...state, version: verdict.payload.version });
        const target = await firstHealthyOrigin(verdict.payload.origins, { fetchFn, exclude: origin });
        if (!target) {
          onStatus('unreachable', { origins: verdict.payload.origins });
          return;
        }
        onStatus('moving', { to: target });
        move(target);
      } finally {
        busy = false;
      }
    },
  };
}

/** Browser start-up: read (or remember) the config, then check the origin every few seconds. */
function startInBrowser() {
  const meta = document.querySelector('meta[name="sv-satellite"]');
  let state;
  try {
    const stored = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? 'null');
    const given = meta ? JSON.parse(meta.content) : null;
    // The key is trusted from the first page that carried it; a page never replaces a different one.
    state = stored && (!given || stored.publicKey === given.publicKey) ? { ...stored, ...given, version: stored.version } : given;
  } catch {
    state = null;
  }
  if (!state?.publicKey || !Array.isArray(state.mirrors) || state.mirrors.length === 0) return;
  const save = (next) => {
    state = next;
    localStorage.setItem(STORAGE_KEY, JSON.stringify(next));
  };
  save(state);
  const watch = createSatelliteWatch({
    state,
    origin: location.origin,
    onStatus: (status, detail) => {
      document.documentElement.dataset.satellite = status;
      window.dispatchEvent(new CustomEvent('satellite:status', { detail: { status, ...detail } }));
    },
    save,
    move: (target) => location.replace(`${target}${location.pathname}${location.search}`),
  });
  const every = Math.max(1, Number(state.checkEverySeconds ?? 10)) * 1000;
  setInterval(() => void watch.check(), every);
  window.addEventListener('online', () => void watch.check());
}

if (typeof window !== 'undefined' && typeof document !== 'undefined') startInBrowser();
