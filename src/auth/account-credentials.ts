import { Injectable } from '@nestjs/common';
import { type Types } from 'mongoose';
import { ApiTokenRepository } from './api-token.repository.js';
import { AppPasswordRepository } from './app-passwords/app-password.repository.js';
import { MagicLinkRepository } from './magic-link.repository.js';
import { SessionRepository } from './session.repository.js';

/** Everything that proves one is an account — sessions, API tokens, app passwords, login links — per account. */
@Injectable()
export class AccountCredentials {
  constructor(
    private readonly sessions: SessionRepository,
    private readonly tokens: ApiTokenRepository,
    private readonly appPasswords: AppPasswordRepository,
    private readonly magicLinks: MagicLinkRepository,
  ) {}

  /** Removes all of them for accounts that are being deleted. */
  async deleteForUsers(userIds: readonly Types.ObjectId[]): Promise<void> {
    await this.sessions.deleteForUsers(userIds);
    await this.tokens.deleteForUsers(userIds);
    await this.appPasswords.deleteForUsers(userIds.map(String));
    await this.magicLinks.deleteForUsers(userIds);
  }
}
