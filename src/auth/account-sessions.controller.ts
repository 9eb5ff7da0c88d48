import { Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { type Response } from 'express';
import { AppError } from '../core/errors/app-error.js';
import { type Identity } from '../core/identity/identity.js';
import { CurrentIdentity, Identified } from './access.decorators.js';
import { requireAccount } from './account-access.js';
import { clearSessionCookie } from './auth-cookie.js';
import { SessionService } from './session.service.js';

/** Where the signed-in account is signed in, and signing any of those out (the account page). */
@ApiTags('auth')
@Controller('api/auth/sessions')
@Identified()
export class AccountSessionsController {
  constructor(private readonly sessions: SessionService) {}

  @Get()
  list(@CurrentIdentity() identity: Identity) {
    const account = requireAccount(identity);
    return this.sessions.listForUser(account.id, account.sessionId);
  }

  /** Immediate: every request checks its session is live. Revoking the current one also signs out here. */
  @Delete(':id')
  @HttpCode(204)
  async revoke(
    @CurrentIdentity() identity: Identity,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Res({ passthrough: true }) res: Response,
  ): Promise<void> {
    const account = requireAccount(identity);
    if (!(await this.sessions.revokeForUser(account.id, id)))
      throw new AppError(404, 'not_found', `You have no live session with id ${id}.`);
    if (id === account.sessionId) clearSessionCookie(res);
  }
}
