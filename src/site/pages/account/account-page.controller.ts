import { Body, Controller, Get, Inject, Post, Req, Res, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { type Request, type Response } from 'express';
import { PanelFormDto } from '../../../admin/dto/panel-form.dto.js';
import { CsrfGuard } from '../../../admin/security/csrf.guard.js';
import { clearSessionCookie, sessionCookieOptions, setSessionCookie } from '../../../auth/auth-cookie.js';
import { clientInfo } from '../../../auth/client-info.js';
import { SessionService } from '../../../auth/session.service.js';
import { SignInEvents } from '../../../auth/sign-in-events.js';
import { UserService } from '../../../auth/user.service.js';
import { APP_CONFIG, type AppConfig } from '../../../core/config/app-config.js';
import { AppError } from '../../../core/errors/app-error.js';
import { type IdentifiedRequest } from '../../../core/identity/identity.js';
import { RateLimit } from '../../../core/rate-limit/rate-limit.decorator.js';
import { siteOrigin } from '../../../core/tenancy/site-origin.js';
import { TenantContext } from '../../../core/tenancy/tenant-context.js';
import { SitePageRenderer } from '../site-page-renderer.js';
import { SignInFormDto } from './dto/sign-in-form.dto.js';

type PageRequest = Request & IdentifiedRequest;

/**
 * `GET /account`: sign-in for guests (username and password; magic links land on their own route);
 * for an account, its sessions, app passwords and sign-out. The lists are the auth API's, which the
 * page's script drives. Signing in and out are plain form posts (CSRF-checked like the panel's forms),
 * so they work without JavaScript; the script only does the same through the API when it runs.
 */
@ApiExcludeController()
@Controller('account')
@UseGuards(CsrfGuard)
export class AccountPageController {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly renderer: SitePageRenderer,
    private readonly users: UserService,
    private readonly sessions: SessionService,
    private readonly signIns: SignInEvents,
  ) {}

  @Get()
  account(@Req() req: PageRequest, @Res() res: Response): void {
    this.page(req, res, 200, {});
  }

  @Post('sign-in')
  @RateLimit({ name: 'login', limit: 10, windowSeconds: 60, per: 'address+username' })
  async signIn(@Body() form: SignInFormDto, @Req() req: PageRequest, @Res() res: Response): Promise<void> {
    let session;
    try {
      session = await this.users.login(form.username, form.password, clientInfo(req));
    } catch (error) {
      if (!(error instanceof AppError) || error.getStatus() !== 401) throw error;
      return this.page(req, res, 401, { username: form.username, error: error.message });
    }
    // A guest's progress moves to the account, as with the API's sign-in and the magic link.
    await this.signIns.signedIn(req.identity, session.user.id);
    setSessionCookie(
      res,
      session.token,
      sessionCookieOptions(this.config.auth.secureCookies, session.maxAgeMs),
    );
    res.redirect(303, '/account');
  }

  /** Revokes the session server-side, so a copied cookie stops working too. */
  @Post('sign-out')
  async signOut(@Body() _form: PanelFormDto, @Req() req: PageRequest, @Res() res: Response): Promise<void> {
    if (req.identity?.kind === 'user' && req.identity.sessionId)
      await this.sessions.revoke(req.identity.sessionId);
    clearSessionCookie(res);
    res.redirect(303, '/account');
  }

  private page(req: PageRequest, res: Response, status: number, form: { username?: string; error?: string }) {
    const identity = req.identity?.kind === 'user' ? req.identity : undefined;
    this.renderer.send(req, res, {
      view: 'account',
      title: identity ? 'Your account' : 'Sign in',
      section: 'account',
      script: 'account.js',
      status,
      forms: true,
      data: {
        form,
        account: identity
          ? { name: identity.name, role: identity.role, isAdmin: identity.role === 'admin' }
          : undefined,
        // The Stremio add-on's install URLs start here (the script appends a new app password): on
        // this site's own origin, where its accounts' app passwords are valid.
        stremioBase: `${siteOrigin(this.config, TenantContext.current())}/stremio/`,
      },
    });
  }
}
