import { Controller, Get, Param, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { type Response } from 'express';
import { type IdentifiedRequest } from '../../../core/identity/identity.js';
import { SitePageRenderer } from '../site-page-renderer.js';
import { pageObjectId, TitlePageService } from './title-page.service.js';

/** `GET /title/:id`: a title with its artwork, seasons and episodes, files, and comments. */
@ApiExcludeController()
@Controller('title')
export class TitlePageController {
  constructor(
    private readonly titles: TitlePageService,
    private readonly renderer: SitePageRenderer,
  ) {}

  @Get(':id')
  async show(@Param('id') id: string, @Req() req: IdentifiedRequest, @Res() res: Response): Promise<void> {
    const title = await this.titles.page(pageObjectId(id, 'title'));
    this.renderer.send(req, res, {
      view: 'title',
      title: title.name,
      script: 'title.js',
      forms: true,
      data: { title },
    });
  }
}
