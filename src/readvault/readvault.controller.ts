import { Controller, Get, Param, Query, Req, Res } from '@nestjs/common';
import { ApiTags } from '../core/http/api-docs.decorators.js';
import { type Request, type Response } from 'express';
import { type Types } from 'mongoose';
import { AppError } from '../core/errors/app-error.js';
import { TenantContext } from '../core/tenancy/tenant-context.js';
import { ParseObjectIdPipe } from '../core/validation/object-id.pipe.js';
import { endMetered } from './pages/metered-body.js';
import { pageCachingHeaders } from './pages/page-caching.js';
import { UnreadablePageError, unreadablePagePlaceholder } from './pages/unreadable-page.js';
import { ReadVaultService } from './readvault.service.js';

/** Manga and comics: series with their chapters, chapters with their pages, and the page bytes. */
@ApiTags('readvault')
@Controller('api/readvault')
export class ReadVaultController {
  constructor(private readonly readvault: ReadVaultService) {}

  @Get('series/:id')
  async series(@Param('id', ParseObjectIdPipe) id: Types.ObjectId) {
    const { title, series } = await this.readvault.series(id);
    return {
      id: String(title._id),
      name: title.name,
      writer: series.writer ?? null,
      penciller: series.penciller ?? null,
      summary: series.summary ?? null,
      genres: series.genres,
      language: series.language ?? null,
      readingDirection: series.rightToLeft ? 'rtl' : 'ltr',
      chapters: series.chapters.map((chapter) => ({
        id: chapter.id,
        volume: chapter.volume ?? null,
        number: chapter.number ?? null,
        title: chapter.title ?? null,
        pageCount: chapter.pageCount,
      })),
    };
  }

  @Get('chapters/:id')
  async chapter(@Param('id') id: string) {
    const chapter = await this.readvault.chapter(id);
    return {
      id: chapter._id,
      seriesId: String(chapter.seriesId),
      volume: chapter.volume ?? null,
      number: chapter.number ?? null,
      title: chapter.title ?? null,
      readingDirection: chapter.rightToLeft ? 'rtl' : 'ltr',
      sourceFormat: chapter.sourceFormat,
      pageCount: chapter.pages.length,
      pages: chapter.pages.map((page, index) => ({
        number: index + 1,
        width: page.width,
        height: page.height,
        url: `/api/readvault/chapters/${encodeURIComponent(chapter._id)}/pages/${index + 1}`,
      })),
    };
  }

  /** The page's bytes; `?width=` gives a WebP at the nearest listed width at or below it (never larger). */
  @Get('chapters/:id/pages/:number')
  async page(
    @Param('id') id: string,
    @Param('number') number: string,
    @Query('width') width: string | undefined,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    if (!/^\d{1,6}$/.test(number) || Number(number) < 1) {
      throw new AppError(400, 'bad_request', 'The page number must be a whole number from 1.');
    }
    const widthAsked = parseWidth(width);
    // Answered from the chapter record before any bytes: a revalidation or a HEAD never resizes.
    const known = await this.readvault.pageHeaders(id, Number(number), widthAsked);
    const cachingHeaders = () => {
      res.setHeader('ETag', known.etag);
      for (const [name, value] of pageCachingHeaders(TenantContext.current())) res.setHeader(name, value);
    };
    if (req.headers['if-none-match'] === known.etag) {
      cachingHeaders();
      res.status(304).end();
      return;
    }
    if (req.method === 'HEAD' && known.resized) {
      cachingHeaders();
      res.type(known.mime);
      if (known.length !== undefined) res.setHeader('Content-Length', known.length);
      res.end();
      return;
    }
    const page = await this.readvault.page(id, Number(number), widthAsked).catch((error: unknown) => {
      // An image element (the reader, an app) is shown a picture saying why, still with the 422.
      if (!(error instanceof UnreadablePageError) || !asksForImage(req)) throw error;
      return undefined;
    });
    if (!page) {
      res.status(422).type('image/svg+xml').setHeader('Cache-Control', 'no-store');
      res.end(unreadablePagePlaceholder(Number(number)));
      return;
    }
    cachingHeaders();
    res.type(page.mime).setHeader('Content-Length', page.bytes.length);
    endMetered(req, res, page.bytes, this.readvault.meter());
  }
}

/** An image element asks for images by name; API clients and fetch (any type) get the JSON error. */
function asksForImage(req: Request): boolean {
  const accept = req.headers.accept ?? '';
  return accept.includes('image/') && !accept.includes('application/json');
}

export function parseWidth(width: string | undefined): number | undefined {
  if (width === undefined) return undefined;
  if (!/^\d{1,5}$/.test(width) || Number(width) < 1 || Number(width) > 10000) {
    throw new AppError(400, 'bad_request', 'width must be a whole number of pixels from 1 to 10000.');
  }
  return Number(width);
}
