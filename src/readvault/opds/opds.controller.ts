import { Controller, Get, Param, Query, Req, Res, UseGuards } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { create as contentDisposition } from 'content-disposition';
import { type Request, type Response } from 'express';
import { type Types } from 'mongoose';
import { AppError } from '../../core/errors/app-error.js';
import { KeyedSerial } from '../../core/util/keyed-serial.js';
import { type IdentifiedRequest } from '../../core/identity/identity.js';
import { ParseObjectIdPipe } from '../../core/validation/object-id.pipe.js';
import { endMetered, pipeMetered } from '../pages/metered-body.js';
import { parseWidth } from '../readvault.controller.js';
import { ReadingService } from '../reading/reading.service.js';
import { ReadVaultService } from '../readvault.service.js';
import { OpdsBasicAuthGuard } from './opds-basic-auth.guard.js';
import { ACQUISITION_TYPE, type Feed, NAVIGATION_TYPE, renderFeed, renderOpenSearch } from './opds-feed.js';
import { OpdsService } from './opds.service.js';

/**
 * OPDS 1.2 with page streaming (OPDS-PSE) for reader apps (Panels, Chunky, KOReader...), signed in
 * with HTTP Basic and an app password. A thin translation of ReadVault's series, chapters and pages.
 */
@ApiTags('opds')
@Controller('opds/v1.2')
@UseGuards(OpdsBasicAuthGuard)
export class OpdsController {
  private readonly saves = new KeyedSerial();

  constructor(
    private readonly opds: OpdsService,
    private readonly readvault: ReadVaultService,
    private readonly reading: ReadingService,
  ) {}

  @Get('catalog')
  catalog(@Res() res: Response): void {
    send(res, this.opds.root(), NAVIGATION_TYPE);
  }

  @Get('series')
  async latest(@Query('page') page: string | undefined, @Res() res: Response): Promise<void> {
    send(res, await this.opds.seriesList(parsePage(page)), NAVIGATION_TYPE);
  }

  @Get('series/a-z')
  async byName(@Query('page') page: string | undefined, @Res() res: Response): Promise<void> {
    send(res, await this.opds.seriesByName(parsePage(page)), NAVIGATION_TYPE);
  }

  @Get('genres')
  async genres(@Res() res: Response): Promise<void> {
    send(res, await this.opds.genres(), NAVIGATION_TYPE);
  }

  @Get('genres/:genre')
  async genre(
    @Param('genre') genre: string,
    @Query('page') page: string | undefined,
    @Res() res: Response,
  ): Promise<void> {
    if (!genre.trim() || genre.length > 60)
      throw new AppError(400, 'bad_request', 'A genre is 1 to 60 characters.');
    send(res, await this.opds.genre(genre, parsePage(page)), NAVIGATION_TYPE);
  }

  /** The signed-in account's chapters in progress, with PSE's lastRead page. */
  @Get('continue')
  async continueReading(@Req() req: IdentifiedRequest, @Res() res: Response): Promise<void> {
    send(res, await this.opds.continueReading(req.identity!), ACQUISITION_TYPE);
  }

  @Get('search.xml')
  openSearch(@Res() res: Response): void {
    res.type('application/opensearchdescription+xml').send(renderOpenSearch());
  }

  @Get('search')
  async search(
    @Query('q') q: unknown,
    @Query('page') page: string | undefined,
    @Res() res: Response,
  ): Promise<void> {
    // A repeated q arrives as an array: one search text only.
    if (typeof q !== 'string' || !q.trim() || q.length > 200)
      throw new AppError(400, 'bad_request', 'q must be one text of 1 to 200 characters.');
    send(res, await this.opds.seriesList(parsePage(page), q), NAVIGATION_TYPE);
  }

  @Get('series/:id')
  async series(@Param('id', ParseObjectIdPipe) id: Types.ObjectId, @Res() res: Response): Promise<void> {
    send(res, await this.opds.series(id), ACQUISITION_TYPE);
  }

  @Get('chapters/:id/file')
  async file(@Param('id') id: string, @Req() req: Request, @Res() res: Response): Promise<void> {
    const archive = await this.readvault.archive(id);
    res.type('application/vnd.comicbook+zip');
    res.setHeader('Content-Length', archive.size);
    res.setHeader('Content-Disposition', contentDisposition(archive.fileName));
    await pipeMetered(req, res, archive.open, this.readvault.meter());
  }

  /** Cover and thumbnail: page numbers from 1, as in the API. */
  @Get('chapters/:id/pages/:number')
  async page(
    @Param('id') id: string,
    @Param('number') number: string,
    @Query('width') width: string | undefined,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    await this.sendPage(req, res, id, parseNumber(number, 1), width);
  }

  /**
   * OPDS-PSE: `{pageNumber}` counts from 0, `{maxWidth}` is the app's screen width. A page an app
   * streams counts as read (as in the web reader), so "Continue reading" follows the app too; an
   * earlier page (a cover shown again, a cached chapter reopened) never moves the place back.
   */
  @Get('chapters/:id/pse/:number')
  async psePage(
    @Param('id') id: string,
    @Param('number') number: string,
    @Query('width') width: string | undefined,
    @Req() req: Request & IdentifiedRequest,
    @Res() res: Response,
  ): Promise<void> {
    const page = parseNumber(number, 0) + 1;
    await this.sendPage(req, res, id, page, width);
    // After the answer is sent, so the app may already ask for the next page: one identity's saves
    // run in arrival order, or page 2's write could land after page 3's.
    const identity = req.identity!;
    await this.saves
      .run(identity.id, () => this.reading.save(identity, id, page, { forwardOnly: true }))
      .catch(() => undefined);
  }

  private async sendPage(
    req: Request,
    res: Response,
    id: string,
    number: number,
    width: string | undefined,
  ): Promise<void> {
    const page = await this.readvault.page(id, number, parseWidth(width));
    res.type(page.mime).setHeader('ETag', page.etag);
    res.setHeader('Cache-Control', 'private, max-age=604800');
    res.setHeader('Content-Length', page.bytes.length);
    endMetered(req, res, page.bytes, this.readvault.meter());
  }
}

function send(res: Response, feed: Feed, type: string): void {
  res.type(type).send(renderFeed(feed));
}

function parsePage(page: string | undefined): number {
  if (page === undefined) return 1;
  if (!/^\d{1,5}$/.test(page) || Number(page) < 1) {
    throw new AppError(400, 'bad_request', 'page must be a whole number from 1.');
  }
  return Number(page);
}

function parseNumber(number: string, from: number): number {
  if (!/^\d{1,6}$/.test(number) || Number(number) < from) {
    throw new AppError(400, 'bad_request', `The page number must be a whole number from ${from}.`);
  }
  return Number(number);
}
