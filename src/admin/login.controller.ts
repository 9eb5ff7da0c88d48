import { Body, Controller, Get, Inject, Post, Query, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { type Request, type Response } from 'express';
import { clearSessionCookie, sessionCookieOptions, setSessionCookie } from '../auth/auth-cookie.js';
import { clientInfo } from '../auth/client-info.js';
import { SessionService } from '../auth/session.service.js';
import { UserService } from '../auth/user.service.js';
import { APP_CONFIG, type AppConfig } from '../core/config/app-config.js';
import { AppError } from '../core/errors/app-error.js';
import { type IdentifiedRequest, type UserRole } from '../core/identity/identity.js';
import { RateLimit } from '../core/rate-limit/rate-limit.decorator.js';
import { LoginFormDto } from './dto/login-form.dto.js';
import { PanelFormDto } from './dto/panel-form.dto.js';
import { PanelExceptionFilter } from './panel-exception.filter.js';
import { PanelRenderer } from './panel-renderer.js';
import { CsrfGuard } from './security/csrf.guard.js';
import { safeReturnPath } from './security/panel-access.guard.js';

/** Roles that may use the panel at all (each page narrows further). */
const PANEL_USERS: readonly UserRole[] = ['admin', 'uploader', 'tenant-admin'];

/** A franchise tenant's admin has one page: its site's. */
const landing = (role: UserRole | undefined, next: string) =>
  role === 'tenant-admin' && next === '/admin' ? '/admin/site' : next;

/** `/admin/login` and `/admin/logout`: the panel's password sign-in on top of the API's sessions. */
@ApiExcludeController()
@Controller('admin')
@UseGuards(CsrfGuard)
@UseFilters(PanelExceptionFilter)
export class LoginController {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly users: UserService,
    private readonly sessions: SessionService,
    private readonly renderer: PanelRenderer,
  ) {}

  @Get('login')
  form(
    @Query('next') next: unknown,
    @Query('reason') reason: unknown,
    @Req() req: Request & IdentifiedRequest,
    @Res() res: Response,
  ): void {
    const identity = req.identity;
    if (
      identity?.kind === 'user' &&
      identity.role &&
      PANEL_USERS.includes(identity.role) &&
      reason !== 'role'
    ) {
      return res.redirect(303, landing(identity.role, safeReturnPath(next)));
    }
    this.page(req, res, 200, {
      next: safeReturnPath(next),
      error: reason === 'role' ? 'That page needs another account: sign in as an admin.' : undefined,
    });
  }

  @Post('login')
  @RateLimit({ name: 'login', limit: 10, windowSeconds: 60, per: 'address+username' })
  async login(
    @Body() form: LoginFormDto,
    @Req() req: Request & IdentifiedRequest,
    @Res() res: Response,
  ): Promise<void> {
    const next = safeReturnPath(form.next);
    let session;
    try {
      session = await this.users.login(form.username, form.password, clientInfo(req));
    } catch (error) {
      if (!(error instanceof AppError) || error.getStatus() !== 401) throw error;
      return this.page(req, res, 401, { next, username: form.username, error: error.message });
    }
    if (!PANEL_USERS.includes(session.user.role)) {
      await this.sessions.revoke(session.sessionId);
      return this.page(req, res, 403, {
        next,
        username: form.username,
        error: 'This account cannot use the admin panel.',
      });
    }
    setSessionCookie(
      res,
      session.token,
      sessionCookieOptions(this.config.auth.secureCookies, session.maxAgeMs),
    );
    res.redirect(303, landing(session.user.role, next));
  }

  /** Revokes the session server-side, so a copied cookie stops working too. */
  @Post('logout')
  async logout(
    @Body() _form: PanelFormDto,
    @Req() req: Request & IdentifiedRequest,
    @Res() res: Response,
  ): Promise<void> {
    if (req.identity?.sessionId) await this.sessions.revoke(req.identity.sessionId);
    clearSessionCookie(res);
    res.redirect(303, '/admin/login?flash=Signed%20out.');
  }

  private page(
    req: Request & IdentifiedRequest,
    res: Response,
    status: number,
    data: Record<string, unknown>,
  ) {
    this.renderer.send(req, res, { view: 'login', title: 'Sign in', status, data });
  }
}
