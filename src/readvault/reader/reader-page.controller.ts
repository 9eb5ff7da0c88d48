import { Controller, Get, Param, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { type Response } from 'express';
import { type IdentifiedRequest } from '../../core/identity/identity.js';
import { SitePageRenderer } from '../../site/pages/site-page-renderer.js';
import { ReaderPageService } from './reader-page.service.js';

/**
 * `GET /read/:chapterId`: the web reader (paged LTR/RTL, single or double, vertical scroll), in the
 * site's layout; the page it resumes at comes from the reading-progress API in the browser.
 */
@ApiExcludeController()
@Controller('read')
export class ReaderPageController {
  constructor(
    private readonly reader: ReaderPageService,
    private readonly renderer: SitePageRenderer,
  ) {}

  @Get(':chapterId')
  async read(
    @Param('chapterId') chapterId: string,
    @Req() req: IdentifiedRequest,
    @Res() res: Response,
  ): Promise<void> {
    const chapter = await this.reader.page(chapterId);
    this.renderer.send(req, res, {
      view: 'reader',
      title: `${chapter.seriesName} ${chapter.label}`,
      script: 'reader.js',
      styles: ['reader.css'],
      data: { chapter },
    });
  }
}
