import { Controller, Get, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { type Response } from 'express';
import { type IdentifiedRequest } from '../../../core/identity/identity.js';
import { SitePageRenderer } from '../site-page-renderer.js';
import { browseParams, CatalogPagesService } from './catalog-pages.service.js';

/** `GET /` (home), `/browse` (filters, sort, pages) and `/search?q=` (results; instant search in the header). */
@ApiExcludeController()
@Controller()
export class CatalogPagesController {
  constructor(
    private readonly pages: CatalogPagesService,
    private readonly renderer: SitePageRenderer,
  ) {}

  @Get()
  async home(@Req() req: IdentifiedRequest, @Res() res: Response): Promise<void> {
    const home = await this.pages.home();
    this.renderer.send(req, res, {
      view: 'home',
      title: 'Home',
      section: 'home',
      script: 'home.js',
      data: { home },
    });
  }

  @Get('browse')
  async browse(@Query() query: Record<string, unknown>, @Req() req: IdentifiedRequest, @Res() res: Response) {
    const browse = await this.pages.browse(browseParams(query));
    this.renderer.send(req, res, { view: 'browse', title: 'Browse', section: 'browse', data: { browse } });
  }

  @Get('search')
  async search(@Query() query: Record<string, unknown>, @Req() req: IdentifiedRequest, @Res() res: Response) {
    const q = typeof query.q === 'string' ? query.q : '';
    const page = browseParams({ page: query.page }).page;
    const search = await this.pages.search(q, page);
    this.renderer.send(req, res, {
      view: 'search',
      title: search.searched ? `Search: ${search.q.slice(0, 60)}` : 'Search',
      query: search.q,
      data: { search },
    });
  }
}
