import { Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { type Request } from 'express';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { APP_CONFIG, type AppConfig } from '../core/config/app-config.js';
import { type Identity } from '../core/identity/identity.js';
import { SESSION_COOKIE } from './auth-cookie.js';
import { API_TOKEN_PREFIX } from './api-token.service.js';
import { APP_PASSWORD_PREFIX } from './app-passwords/app-password-secrets.js';
import { deriveKey } from './secrets.js';
import { JWT_ALGORITHM, JWT_ISSUER, type TokenPayload } from './session-token.service.js';
import { SessionService } from './session.service.js';
import { inCurrentTenant } from './tenant-membership.js';

function fromCookie(req: Request): string | null {
  const value = (req.cookies as Record<string, unknown> | undefined)?.[SESSION_COOKIE];
  return typeof value === 'string' && value ? value : null;
}

function fromBearer(req: Request): string | null {
  const token = ExtractJwt.fromAuthHeaderAsBearerToken()(req);
  return token && !token.startsWith(API_TOKEN_PREFIX) && !token.startsWith(APP_PASSWORD_PREFIX)
    ? token
    : null;
}

/**
 * passport-jwt with an explicit algorithm allow-list (HS256 only: `alg: none` and key-confusion tokens
 * are refused), issuer check and expiry. User tokens must also name a live (not logged-out) session.
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly sessions: SessionService,
  ) {
    super({
      jwtFromRequest: ExtractJwt.fromExtractors([fromBearer, fromCookie]),
      secretOrKey: deriveKey(config.secretKey, 'jwt'),
      algorithms: [JWT_ALGORITHM],
      issuer: JWT_ISSUER,
      ignoreExpiration: false,
    });
  }

  async validate(payload: TokenPayload): Promise<Identity | false> {
    if (!inCurrentTenant({ tenantId: payload.tid })) return false;
    if (payload.kind === 'guest' && payload.sub.startsWith('guest:')) {
      return { kind: 'guest', id: payload.sub, name: 'Guest', via: 'cookie' };
    }
    if (payload.kind === 'user') return (await this.sessions.identityFor(payload.sid, payload.sub)) ?? false;
    return false;
  }
}
