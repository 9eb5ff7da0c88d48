import { Controller, Get, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { type Response } from 'express';
import { type IdentifiedRequest } from '../../../core/identity/identity.js';
import { SitePageRenderer } from '../site-page-renderer.js';

/**
 * `GET /account`: sign-in for guests (username and password; magic links land on their own route);
 * for an account, its sessions, app passwords and sign-out. The lists are the auth API's, which the
 * page's script drives.
 */
@ApiExcludeController()
@Controller('account')
export class AccountPageController {
  constructor(private readonly renderer: SitePageRenderer) {}

  @Get()
  account(@Req() req: IdentifiedRequest, @Res() res: Response): void {
    const identity = req.identity?.kind === 'user' ? req.identity : undefined;
    this.renderer.send(req, res, {
      view: 'account',
      title: identity ? 'Your account' : 'Sign in',
      section: 'account',
      script: 'account.js',
      data: {
        account: identity
          ? { name: identity.name, role: identity.role, isAdmin: identity.role === 'admin' }
          : undefined,
      },
    });
  }
}
