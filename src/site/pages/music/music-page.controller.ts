import { Controller, Get, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { type Response } from 'express';
import { type IdentifiedRequest } from '../../../core/identity/identity.js';
import { SitePageRenderer } from '../site-page-renderer.js';

/** `GET /music`: the web player (albums, artists, playlists, a queue); its data comes from `/api/music`. */
@ApiExcludeController()
@Controller('music')
export class MusicPageController {
  constructor(private readonly renderer: SitePageRenderer) {}

  @Get()
  page(@Req() req: IdentifiedRequest, @Res() res: Response): void {
    this.renderer.send(req, res, { view: 'music', title: 'Music', section: 'music', script: 'music.js' });
  }
}
