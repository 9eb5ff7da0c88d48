import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { APP_CONFIG, type AppConfig } from '../core/config/app-config.js';
import { tenantIdForNewRecord } from './tenant-membership.js';

export const JWT_ISSUER = 'streamvault';
export const JWT_ALGORITHM = 'HS256';
export const GUEST_TTL_SECONDS = 365 * 24 * 3600;

/** `tid`: the tenant the token was issued on (absent on tokens from before tenancy: the default site). */
export type TokenPayload = { tid?: string } & (
  { kind: 'guest'; sub: string } | { kind: 'user'; sub: string; sid: string }
);

/** Signs the session cookie's JWT (HS256); verification is passport-jwt's, in `JwtStrategy`. */
@Injectable()
export class SessionTokenService {
  constructor(
    private readonly jwt: JwtService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  newGuest(): { token: string; guestId: string; maxAgeMs: number } {
    const guestId = `guest:${randomUUID()}`;
    const token = this.sign({ kind: 'guest', sub: guestId }, GUEST_TTL_SECONDS);
    return { token, guestId, maxAgeMs: GUEST_TTL_SECONDS * 1000 };
  }

  forSession(userId: string, sessionId: string): { token: string; maxAgeMs: number } {
    const seconds = this.config.auth.sessionTtlHours * 3600;
    return {
      token: this.sign({ kind: 'user', sub: userId, sid: sessionId }, seconds),
      maxAgeMs: seconds * 1000,
    };
  }

  /** Tokens name their tenant, so a cookie or bearer token of site A is refused on site B. */
  private sign(payload: TokenPayload, expiresInSeconds: number): string {
    const tid = tenantIdForNewRecord();
    return this.jwt.sign(tid ? { ...payload, tid } : payload, { expiresIn: expiresInSeconds });
  }
}
