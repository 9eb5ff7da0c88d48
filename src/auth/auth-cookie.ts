import { type CookieOptions, type Response } from 'express';

export const SESSION_COOKIE = 'sv_session';

/** HttpOnly, SameSite=Lax, Secure when served over https. */
export function sessionCookieOptions(secure: boolean, maxAgeMs: number): CookieOptions {
  return { httpOnly: true, sameSite: 'lax', secure, path: '/', maxAge: maxAgeMs };
}

/**
 * Sets the session cookie, replacing one this response already carries (the guest cookie a first
 * visit is given): a response sets a cookie name at most once, since clients that join or keep every
 * `Set-Cookie` would otherwise send the guest token along with the account's.
 */
export function setSessionCookie(res: Response, token: string, options: CookieOptions): void {
  dropSessionCookie(res);
  res.cookie(SESSION_COOKIE, token, options);
}

/** Expires the session cookie (again, the only `Set-Cookie` of that name on the response). */
export function clearSessionCookie(res: Response): void {
  dropSessionCookie(res);
  res.clearCookie(SESSION_COOKIE, { path: '/' });
}

function dropSessionCookie(res: Response): void {
  const current = res.getHeader('Set-Cookie');
  if (current === undefined) return;
  const kept = (Array.isArray(current) ? current : [String(current)]).filter(
    (line) => !line.startsWith(`${SESSION_COOKIE}=`),
  );
  if (kept.length > 0) res.setHeader('Set-Cookie', kept);
  else res.removeHeader('Set-Cookie');
}
