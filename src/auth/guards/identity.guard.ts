import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import { type Request, type Response } from 'express';
import { APP_CONFIG, type AppConfig } from '../../core/config/app-config.js';
import { type Identity, type IdentifiedRequest } from '../../core/identity/identity.js';
import { API_TOKEN_PREFIX, ApiTokenService } from '../api-token.service.js';
import { AppPasswordAuth } from '../app-passwords/app-password-auth.js';
import { APP_PASSWORD_PREFIX } from '../app-passwords/app-password-secrets.js';
import { SESSION_COOKIE, sessionCookieOptions } from '../auth-cookie.js';
import { SessionTokenService } from '../session-token.service.js';
import { SessionService } from '../session.service.js';

/** passport-jwt, but a missing or bad token is not an error here: access rules decide later. */
class OptionalJwtGuard extends AuthGuard('jwt') {
  override handleRequest<T>(_error: unknown, user: T): T {
    return user || (null as T);
  }
}

/**
 * Machine-polled, media and add-on paths get no guest cookie (a Set-Cookie would also defeat nginx
 * caching; the Stremio add-on identifies its user by the app password in its URL).
 */
const NO_GUEST_COOKIE =
  /^\/(healthz|metrics|stream|subtitles|media|stremio)(\/|$)|^\/api\/readvault\/chapters\/[^/]+\/pages\//;

/**
 * Works out who is calling (API token, app password, session or guest cookie) for every request, and gives a first
 * visitor a guest identity cookie. It never refuses: `RolesGuard` does, knowing why identity failed.
 */
@Injectable()
export class IdentityGuard implements CanActivate {
  private readonly jwt = new OptionalJwtGuard();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly apiTokens: ApiTokenService,
    private readonly tokens: SessionTokenService,
    private readonly appPasswords: AppPasswordAuth,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<Request & IdentifiedRequest & { user?: Identity | null }>();
    const res = context.switchToHttp().getResponse<Response>();
    const authorization = req.headers.authorization ?? '';
    const bearer = bearerOf(req);

    if (bearer?.startsWith(API_TOKEN_PREFIX)) {
      req.identity = await this.apiTokens.identify(bearer);
      if (!req.identity) req.authFailure = 'The API token is invalid or revoked.';
      return true;
    }
    if (bearer?.startsWith(APP_PASSWORD_PREFIX)) {
      req.identity = await this.appPasswords.verify(bearer);
      if (!req.identity) req.authFailure = 'The app password is invalid or revoked.';
      return true;
    }
    // Every session cookie sent, not only the first the parser keeps: one planted for a parent domain
    // (by a sibling site's page) must not shadow the real one — nor may a guest's (anyone can get
    // one) shadow an account's: an account's session wins, else the first valid guest.
    const cookies = bearer ? [] : sessionCookies(req.headers.cookie);
    if (bearer || cookies.length > 0) {
      let chosen: { identity: Identity; cookie?: string } | undefined;
      for (const value of bearer ? [undefined] : cookies) {
        req.user = undefined;
        if (value !== undefined) req.cookies[SESSION_COOKIE] = value;
        await this.jwt.canActivate(context);
        const found = req.user as Identity | null | undefined;
        if (!found) continue;
        if (!chosen || chosen.identity.kind === 'guest') chosen = { identity: found, cookie: value };
        if (found.kind === 'user') break;
      }
      if (chosen?.cookie !== undefined) req.cookies[SESSION_COOKIE] = chosen.cookie;
      req.user = chosen?.identity;
      req.identity = chosen?.identity;
      if (!req.identity) req.authFailure = 'The session is invalid, expired or logged out.';
    }
    // A guest cookie would replace the host's own one only: with several sent, it would shadow nothing.
    if (!req.identity && !authorization && cookies.length <= 1 && !NO_GUEST_COOKIE.test(req.path)) {
      this.issueGuestCookie(res);
    }
    return true;
  }

  /** The new guest is recognised from the next request on: an identity must come from an earlier visit. */
  private issueGuestCookie(res: Response): void {
    const guest = this.tokens.newGuest();
    res.cookie(
      SESSION_COOKIE,
      guest.token,
      sessionCookieOptions(this.config.auth.secureCookies, guest.maxAgeMs),
    );
  }
}

/**
 * Who a request that is still being answered (a live event stream) is now: its credentials read again
 * by the same services the identity guard uses, so a session signed out or revoked, an expired one, a
 * revoked token, or a disabled account since the request began comes back undefined, and a changed
 * role comes back changed.
 */
@Injectable()
export class IdentityRecheck {
  constructor(
    private readonly sessions: SessionService,
    private readonly apiTokens: ApiTokenService,
    private readonly appPasswords: AppPasswordAuth,
  ) {}

  async current(req: Request & IdentifiedRequest): Promise<Identity | undefined> {
    const identity = req.identity;
    if (identity?.kind !== 'user') return identity; // a guest has nothing to revoke
    const bearer = bearerOf(req);
    switch (identity.via) {
      case 'cookie': // a session, from its cookie or a bearer JWT
        return identity.sessionId ? this.sessions.identityFor(identity.sessionId, identity.id) : undefined;
      case 'api-token':
        return bearer ? this.apiTokens.identify(bearer) : undefined;
      case 'app-password':
        return bearer ? this.appPasswords.verify(bearer) : undefined;
      default:
        return undefined;
    }
  }
}

function bearerOf(req: Request): string | undefined {
  return /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
}

/** The values of every `sv_session` cookie in a Cookie header, in the order sent (at most 5). */
function sessionCookies(header: string | undefined): string[] {
  if (!header) return [];
  const values: string[] = [];
  for (const pair of header.split(';')) {
    const at = pair.indexOf('=');
    if (at < 0 || pair.slice(0, at).trim() !== SESSION_COOKIE) continue;
    const value = pair.slice(at + 1).trim();
    if (value && values.length < 5) values.push(value);
  }
  return values;
}
