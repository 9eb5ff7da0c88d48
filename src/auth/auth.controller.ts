import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Inject,
  Param,
  ParseUUIDPipe,
  Post,
  Req,
  Res,
} from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { type Request, type Response } from 'express';
import { APP_CONFIG, type AppConfig } from '../core/config/app-config.js';
import { AppError } from '../core/errors/app-error.js';
import { type Identity, type IdentifiedRequest } from '../core/identity/identity.js';
import { RateLimit } from '../core/rate-limit/rate-limit.decorator.js';
import { CurrentIdentity, Identified, Roles } from './access.decorators.js';
import { ApiTokenService } from './api-token.service.js';
import { clearSessionCookie, sessionCookieOptions, setSessionCookie } from './auth-cookie.js';
import { clientInfo } from './client-info.js';
import { CreateApiTokenDto } from './dto/create-api-token.dto.js';
import { LoginDto } from './dto/login.dto.js';
import { MagicLinkDto } from './dto/magic-link.dto.js';
import { MagicLinkService } from './magic-link.service.js';
import { SessionService } from './session.service.js';
import { SignInEvents } from './sign-in-events.js';
import { UserService } from './user.service.js';
import { Types } from 'mongoose';

@ApiTags('auth')
@Controller('api/auth')
export class AuthController {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly users: UserService,
    private readonly sessions: SessionService,
    private readonly magicLinks: MagicLinkService,
    private readonly apiTokens: ApiTokenService,
    private readonly signIns: SignInEvents,
  ) {}

  @Post('login')
  @HttpCode(200)
  @RateLimit({ name: 'login', limit: 10, windowSeconds: 60, per: 'address+username' })
  async login(
    @Body() dto: LoginDto,
    @Req() req: Request & IdentifiedRequest,
    @Res({ passthrough: true }) res: Response,
  ) {
    const { token, maxAgeMs, user } = await this.users.login(dto.username, dto.password, clientInfo(req));
    await this.signIns.signedIn(req.identity, user.id);
    setSessionCookie(res, token, sessionCookieOptions(this.config.auth.secureCookies, maxAgeMs));
    return { user };
  }

  /** Revokes the session server-side: the old cookie stops working even if someone kept a copy. */
  @Post('logout')
  @HttpCode(200)
  @Identified()
  async logout(@CurrentIdentity() identity: Identity, @Res({ passthrough: true }) res: Response) {
    if (identity.sessionId) await this.sessions.revoke(identity.sessionId);
    clearSessionCookie(res);
    return { loggedOut: true };
  }

  @Get('me')
  @Identified()
  me(@CurrentIdentity() identity: Identity) {
    return { id: identity.id, kind: identity.kind, name: identity.name, role: identity.role ?? null };
  }

  @Post('magic-link')
  @Roles('admin')
  @RateLimit({ name: 'magic-link', limit: 30, windowSeconds: 60 })
  createMagicLink(@Body() dto: MagicLinkDto, @CurrentIdentity() identity: Identity) {
    return this.magicLinks.create(dto, identity.id);
  }

  @Post('tokens')
  @Roles('admin')
  createToken(@Body() dto: CreateApiTokenDto, @CurrentIdentity() identity: Identity) {
    return this.apiTokens.create(new Types.ObjectId(identity.id), dto.name);
  }

  @Get('tokens')
  @Roles('admin')
  listTokens() {
    return this.apiTokens.list();
  }

  @Delete('tokens/:id')
  @Roles('admin')
  @HttpCode(204)
  async revokeToken(@Param('id', new ParseUUIDPipe()) id: string): Promise<void> {
    if (!(await this.apiTokens.revoke(id)))
      throw new AppError(404, 'not_found', `No live API token with id ${id}.`);
  }
}
