import { Controller, Get, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { type Response } from 'express';
import { type IdentifiedRequest } from '../../../core/identity/identity.js';
import { SitePageRenderer } from '../site-page-renderer.js';

/** `GET /`: the home page. */
@ApiExcludeController()
@Controller()
export class HomeController {
  constructor(private readonly renderer: SitePageRenderer) {}

  @Get()
  home(@Req() req: IdentifiedRequest, @Res() res: Response): void {
    this.renderer.send(req, res, { view: 'home', title: 'Home', section: 'home', data: {} });
  }
}
