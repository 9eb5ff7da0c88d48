import { Controller, Get, Inject, Param, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { type Request, type Response } from 'express';
import { APP_CONFIG, type AppConfig } from '../core/config/app-config.js';
import { type IdentifiedRequest } from '../core/identity/identity.js';
import { RateLimit } from '../core/rate-limit/rate-limit.decorator.js';
import { sessionCookieOptions, setSessionCookie } from './auth-cookie.js';
import { clientInfo } from './client-info.js';
import { MagicLinkService } from './magic-link.service.js';
import { SignInEvents } from './sign-in-events.js';

/** The landing of a magic link: signs the browser in and sends an admin to the panel, anyone else home. */
@ApiExcludeController()
@Controller('auth/magic')
export class MagicLinkController {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly magicLinks: MagicLinkService,
    private readonly signIns: SignInEvents,
  ) {}

  @Get(':token')
  @RateLimit({ name: 'magic-redeem', limit: 20, windowSeconds: 60 })
  async redeem(
    @Param('token') token: string,
    @Req() req: Request & IdentifiedRequest,
    @Res() res: Response,
  ): Promise<void> {
    // Link checkers and chat previews ask with HEAD: only the person's own visit may use the link.
    if (req.method === 'HEAD') {
      res.status(200).setHeader('Cache-Control', 'no-store').end();
      return;
    }
    const { token: cookie, maxAgeMs, role, userId } = await this.magicLinks.redeem(token, clientInfo(req));
    await this.signIns.signedIn(req.identity, userId);
    setSessionCookie(res, cookie, sessionCookieOptions(this.config.auth.secureCookies, maxAgeMs));
    res.redirect(303, role === 'admin' ? '/admin' : '/');
  }
}
