import {
  Body,
  Controller,
  Get,
  Param,
  ParseIntPipe,
  Post,
  Query,
  Req,
  Res,
  UseFilters,
  UseGuards,
} from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { type Request, type Response } from 'express';
import { type Types } from 'mongoose';
import { type IdentifiedRequest } from '../../core/identity/identity.js';
import { ParseObjectIdPipe } from '../../core/validation/object-id.pipe.js';
import { LibraryService } from '../../library/library.service.js';
import { EnrichmentRequests } from '../../library/metadata/enrichment-requests.js';
import { TITLE_KINDS } from '../../library/schemas/title.schema.js';
import { CatalogQueryService } from '../../library/catalog/catalog-query.service.js';
import { CatalogRebuildRequests } from '../../library/catalog/catalog-rebuild.job.js';
import { CoverFormDto } from '../dto/cover-form.dto.js';
import { PanelFormDto } from '../dto/panel-form.dto.js';
import { TitleFormDto, TitleSearchFormDto } from '../dto/title-form.dto.js';
import { PanelExceptionFilter } from '../panel-exception.filter.js';
import { PanelRenderer, redirectWithFlash } from '../panel-renderer.js';
import { CsrfGuard } from '../security/csrf.guard.js';
import { PanelAccessGuard } from '../security/panel-access.guard.js';
import { LibraryPageService, presentTitleRow } from './library-page.service.js';
import { changedFields } from './title-edit.js';

type PanelRequest = Request & IdentifiedRequest;

/** `/admin/library`: search titles, edit their metadata, browse and delete their files. Admins only. */
@ApiExcludeController()
@Controller('admin/library')
@UseGuards(PanelAccessGuard, CsrfGuard)
@UseFilters(PanelExceptionFilter)
export class LibraryController {
  constructor(
    private readonly library: LibraryService,
    private readonly catalog: CatalogQueryService,
    private readonly pages: LibraryPageService,
    private readonly renderer: PanelRenderer,
    private readonly enrichment: EnrichmentRequests,
    private readonly rebuilds: CatalogRebuildRequests,
  ) {}

  @Get()
  async list(@Query() query: TitleSearchFormDto, @Req() req: PanelRequest, @Res() res: Response) {
    const pageSize = 50;
    const paging = { kind: query.kind, limit: pageSize, offset: (query.page - 1) * pageSize };
    const found = query.q?.trim()
      ? await this.catalog.search(query.q, paging)
      : await this.catalog.list(paging);
    const page = { ...found, page: query.page, pageSize };
    const pages = Math.max(1, Math.ceil(page.total / page.pageSize));
    const link = (n: number) =>
      `/admin/library?${new URLSearchParams({ q: query.q ?? '', kind: query.kind ?? '', page: String(n) })}`;
    this.renderer.send(req, res, {
      view: 'library',
      title: 'Library',
      data: {
        q: query.q ?? '',
        kinds: TITLE_KINDS.map((kind) => ({ kind, selected: kind === query.kind })),
        titles: page.items.map(presentTitleRow),
        total: page.total,
        rebuilding: page.rebuilding,
        page: page.page,
        pages,
        previous: page.page > 1 ? link(page.page - 1) : undefined,
        next: page.page < pages ? link(page.page + 1) : undefined,
      },
    });
  }

  /** Queues a rebuild of the search index from the database. */
  @Post('reindex')
  async reindex(@Body() _form: PanelFormDto, @Res() res: Response) {
    await this.rebuilds.request();
    redirectWithFlash(res, '/admin/library', 'Index rebuild queued; lists keep answering meanwhile.');
  }

  @Get(':id')
  async show(
    @Param('id', ParseObjectIdPipe) id: Types.ObjectId,
    @Req() req: PanelRequest,
    @Res() res: Response,
  ) {
    const data = await this.pages.title(id);
    this.renderer.send(req, res, { view: 'title', title: data.entry.name, data });
  }

  /** Saves what changed; those fields become locked against metadata enrichment. */
  @Post(':id')
  async update(
    @Param('id', ParseObjectIdPipe) id: Types.ObjectId,
    @Body() form: TitleFormDto,
    @Res() res: Response,
  ) {
    const fields = changedFields(await this.library.requireTitle(id), form);
    if (Object.keys(fields).length > 0) await this.library.updateTitle(id, fields);
    const saved = Object.keys(fields);
    redirectWithFlash(
      res,
      `/admin/library/${String(id)}`,
      saved.length > 0 ? `Saved and locked: ${saved.join(', ')}.` : 'Nothing changed.',
    );
  }

  /** Queues the enrich job: a worker asks TMDB / Jikan again; locked fields stay as edited. */
  @Post(':id/enrich')
  async enrich(
    @Param('id', ParseObjectIdPipe) id: Types.ObjectId,
    @Body() _form: PanelFormDto,
    @Res() res: Response,
  ) {
    await this.library.requireTitle(id);
    await this.enrichment.request(id);
    redirectWithFlash(
      res,
      `/admin/library/${String(id)}`,
      'Enrichment queued; reload in a moment to see the result.',
    );
  }

  @Post(':id/delete')
  async deleteTitle(
    @Param('id', ParseObjectIdPipe) id: Types.ObjectId,
    @Body() _form: PanelFormDto,
    @Res() res: Response,
  ) {
    const title = await this.library.requireTitle(id);
    await this.library.deleteTitle(id);
    redirectWithFlash(res, '/admin/library', `Deleted "${title.name}".`);
  }

  @Post(':id/files/:fileId/delete')
  async deleteFile(
    @Param('id', ParseObjectIdPipe) id: Types.ObjectId,
    @Param('fileId', ParseObjectIdPipe) fileId: Types.ObjectId,
    @Body() _form: PanelFormDto,
    @Res() res: Response,
  ) {
    await this.library.deleteFile(id, fileId);
    redirectWithFlash(res, `/admin/library/${String(id)}`, 'File deleted.');
  }

  /** Manga: removes a chapter (its CBZ's bytes are queued for deletion). */
  @Post(':id/chapters/:chapterId/delete')
  async deleteChapter(
    @Param('id', ParseObjectIdPipe) id: Types.ObjectId,
    @Param('chapterId') chapterId: string,
    @Body() _form: PanelFormDto,
    @Res() res: Response,
  ) {
    await this.pages.chapters().deleteChapter(id, chapterId);
    redirectWithFlash(res, `/admin/library/${String(id)}`, 'Chapter deleted.');
  }

  /** Manga: reads the stored chapter's ComicInfo.xml again. */
  @Post(':id/chapters/:chapterId/comic-info')
  async rereadComicInfo(
    @Param('id', ParseObjectIdPipe) id: Types.ObjectId,
    @Param('chapterId') chapterId: string,
    @Body() _form: PanelFormDto,
    @Res() res: Response,
  ) {
    const read = await this.pages.chapters().rereadComicInfo(id, chapterId);
    redirectWithFlash(res, `/admin/library/${String(id)}`, `ComicInfo read again: ${read}.`);
  }

  /** Manga: a chapter's page becomes the series' cover. */
  @Post(':id/chapters/:chapterId/cover')
  async chooseCover(
    @Param('id', ParseObjectIdPipe) id: Types.ObjectId,
    @Param('chapterId') chapterId: string,
    @Body() form: CoverFormDto,
    @Res() res: Response,
  ) {
    await this.pages.chapters().chooseCover(id, chapterId, form.page);
    redirectWithFlash(res, `/admin/library/${String(id)}`, `Cover set to page ${form.page}.`);
  }

  @Post(':id/seasons/:season/episodes/:episode/delete')
  async deleteEpisode(
    @Param('id', ParseObjectIdPipe) id: Types.ObjectId,
    @Param('season', ParseIntPipe) season: number,
    @Param('episode', ParseIntPipe) episode: number,
    @Body() _form: PanelFormDto,
    @Res() res: Response,
  ) {
    await this.library.deleteEpisode(id, season, episode);
    redirectWithFlash(res, `/admin/library/${String(id)}`, `Deleted season ${season} episode ${episode}.`);
  }
}
