import { type CookieOptions } from 'express';

export const SESSION_COOKIE = 'sv_session';

/** HttpOnly, SameSite=Lax, Secure when served over https. */
export function sessionCookieOptions(secure: boolean, maxAgeMs: number): CookieOptions {
  return { httpOnly: true, sameSite: 'lax', secure, path: '/', maxAge: maxAgeMs };
}
