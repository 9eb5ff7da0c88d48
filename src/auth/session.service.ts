import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { Types } from 'mongoose';
import { APP_CONFIG, type AppConfig } from '../core/config/app-config.js';
import { type Identity } from '../core/identity/identity.js';
import { type Session } from './schemas/session.schema.js';
import { SessionRepository } from './session.repository.js';
import { SessionTokenService } from './session-token.service.js';
import { inCurrentTenant } from './tenant-membership.js';
import { UserRepository } from './user.repository.js';

export interface ClientInfo {
  userAgent?: string;
  ip?: string;
}

export interface SessionView {
  id: string;
  method: Session['method'];
  createdAt: Date;
  expiresAt: Date;
  userAgent: string | null;
  ip: string | null;
  /** The session this request came with. */
  current: boolean;
}

/** Server-side sessions behind user JWTs: a token is only good while its session is live. */
@Injectable()
export class SessionService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly sessions: SessionRepository,
    private readonly users: UserRepository,
    private readonly tokens: SessionTokenService,
  ) {}

  /** Opens a session and returns the cookie token for it. */
  async open(userId: Types.ObjectId, method: Session['method'], client: ClientInfo) {
    const id = randomUUID();
    const now = new Date();
    await this.sessions.insert({
      _id: id,
      userId,
      createdAt: now,
      expiresAt: new Date(now.getTime() + this.config.auth.sessionTtlHours * 3600 * 1000),
      userAgent: client.userAgent?.slice(0, 300),
      ip: client.ip,
      method,
    });
    return { sessionId: id, ...this.tokens.forSession(String(userId), id) };
  }

  revoke(sessionId: string): Promise<boolean> {
    return this.sessions.revoke(sessionId);
  }

  /** The account page's list: where the user is signed in, the calling session marked `current`. */
  async listForUser(userId: string, currentSessionId?: string): Promise<SessionView[]> {
    const sessions = await this.sessions.listLiveForUser(new Types.ObjectId(userId));
    return sessions.map((session) => ({
      id: session._id,
      method: session.method,
      createdAt: session.createdAt,
      expiresAt: session.expiresAt,
      userAgent: session.userAgent ?? null,
      ip: session.ip ?? null,
      current: session._id === currentSessionId,
    }));
  }

  /** Signs one of the user's own sessions out; every later request with its cookie is refused. */
  revokeForUser(userId: string, sessionId: string): Promise<boolean> {
    return this.sessions.revokeForUser(sessionId, new Types.ObjectId(userId));
  }

  /** The identity behind a session, or undefined when it is revoked, expired, or its user is disabled. */
  async identityFor(sessionId: string, userId: string): Promise<Identity | undefined> {
    if (!Types.ObjectId.isValid(userId)) return undefined;
    const session = await this.sessions.findLive(sessionId);
    if (!session || String(session.userId) !== userId) return undefined;
    const user = await this.users.findById(session.userId);
    if (!user || user.disabled || !inCurrentTenant(user)) return undefined;
    return { kind: 'user', id: userId, name: user.username, role: user.role, sessionId, via: 'cookie' };
  }
}
