import { Inject, Injectable } from '@nestjs/common';
import { doubleCsrf, type DoubleCsrfUtilities } from 'csrf-csrf';
import { type Request, type Response } from 'express';
import { deriveKey } from '../../auth/secrets.js';
import { APP_CONFIG, type AppConfig } from '../../core/config/app-config.js';
import { type IdentifiedRequest } from '../../core/identity/identity.js';

/**
 * CSRF tokens for the panel's forms: csrf-csrf's signed double-submit cookie. The token is an HMAC
 * (key derived from SECRET_KEY) over a random value and the server-side session id, so a token is good
 * only for the session it was issued to, and a cookie planted from a sibling subdomain is useless
 * without the key. Stateless: nothing to store, and several managers accept each other's tokens. Before
 * sign-in (the login form) there is no session yet; the token is then bound to no session, which still
 * needs the HttpOnly SameSite=Strict cookie to match the form field.
 */
@Injectable()
export class CsrfTokens {
  private readonly csrf: DoubleCsrfUtilities;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    const secure = config.auth.secureCookies;
    const secret = deriveKey(config.secretKey, 'csrf').toString('hex');
    this.csrf = doubleCsrf({
      getSecret: () => secret,
      getSessionIdentifier: (req) => sessionOf(req as Request & IdentifiedRequest),
      // `__Host-` needs Secure, which plain-http installs (and tests) cannot set.
      cookieName: secure ? '__Host-sv_csrf' : 'sv_csrf',
      cookieOptions: { sameSite: 'strict', secure, httpOnly: true, path: '/' },
      getCsrfTokenFromRequest: (req) => {
        const field = (req.body as { _csrf?: unknown } | undefined)?._csrf;
        return typeof field === 'string' ? field : req.headers['x-csrf-token'];
      },
    });
  }

  /** The token to embed in this response's forms (reusing the cookie's while it is still valid). */
  issue(req: Request, res: Response): string {
    return this.csrf.generateCsrfToken(req, res);
  }

  isValid(req: Request): boolean {
    return this.csrf.validateRequest(req);
  }
}

function sessionOf(req: IdentifiedRequest): string {
  const identity = req.identity;
  return identity?.kind === 'user' && identity.sessionId ? identity.sessionId : '';
}
