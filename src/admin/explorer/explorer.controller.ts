import { Body, Controller, Get, Param, Post, Query, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { type Request, type Response } from 'express';
import { type Types } from 'mongoose';
import { AppError } from '../../core/errors/app-error.js';
import { type IdentifiedRequest } from '../../core/identity/identity.js';
import { ParseObjectIdPipe } from '../../core/validation/object-id.pipe.js';
import { ExplorerPageQueryDto, OrphanFormDto, RenameFileFormDto } from '../dto/explorer-forms.dto.js';
import { PanelFormDto } from '../dto/panel-form.dto.js';
import { formatAgo, formatBytes } from '../../core/util/format-units.js';
import { type StillsRun } from '../../ingest/stills/stills-requests.js';
import { PanelExceptionFilter } from '../panel-exception.filter.js';
import { PanelRenderer, redirectWithFlash } from '../panel-renderer.js';
import { CsrfGuard } from '../security/csrf.guard.js';
import { PanelAccessGuard } from '../security/panel-access.guard.js';
import { DANGLING_CHECK_LIMIT, ExplorerService, ORPHAN_MIN_AGE_MS } from './explorer.service.js';

type PanelRequest = Request & IdentifiedRequest;

/** `/admin/explorer`: stored objects by location, orphans, dangling records, per-file upkeep. Admins only. */
@ApiExcludeController()
@Controller('admin/explorer')
@UseGuards(PanelAccessGuard, CsrfGuard)
@UseFilters(PanelExceptionFilter)
export class ExplorerController {
  constructor(
    private readonly explorer: ExplorerService,
    private readonly renderer: PanelRenderer,
  ) {}

  @Get()
  async overview(@Query() query: ExplorerPageQueryDto, @Req() req: PanelRequest, @Res() res: Response) {
    const local = this.explorer.storeKind === 'local';
    const [folders, files] = await Promise.all([
      local ? this.explorer.folders() : Promise.resolve([]),
      this.explorer.filePage(query.page, query.pageSize),
    ]);
    this.renderer.send(req, res, {
      view: 'explorer',
      title: 'Explorer',
      data: {
        store: this.explorer.storeKind,
        local,
        folders: folders.map((folder) => ({ ...folder, size: formatBytes(folder.bytes) })),
        files: files.map(({ file, titleName, objects }) => ({
          id: String(file._id),
          fileName: file.fileName,
          size: formatBytes(file.size),
          titleId: file.titleId ? String(file.titleId) : undefined,
          titleName,
          refs: objects.map((object) => `${object.role}: ${object.ref}`),
        })),
        page: query.page,
        previous: query.page > 1 ? query.page - 1 : undefined,
        next: files.length === query.pageSize ? query.page + 1 : undefined,
      },
    });
  }

  @Get('folders/:name')
  async folder(@Param('name') name: string, @Req() req: PanelRequest, @Res() res: Response) {
    if (!/^[\w.-]{1,100}$/.test(name)) throw new AppError(400, 'bad_request', 'Not a folder name.');
    const objects = await this.explorer.folder(name);
    this.renderer.send(req, res, {
      view: 'explorer-folder',
      title: `Folder ${name}`,
      data: {
        name,
        objects: objects.map((object) => ({
          ...object,
          size: formatBytes(object.size),
          modified: formatAgo(object.modifiedAt),
        })),
      },
    });
  }

  @Get('orphans')
  async orphans(@Req() req: PanelRequest, @Res() res: Response) {
    const orphans = await this.explorer.orphans();
    this.renderer.send(req, res, {
      view: 'explorer-orphans',
      title: 'Orphans',
      data: {
        minAgeMinutes: ORPHAN_MIN_AGE_MS / 60_000,
        orphans: orphans.map((object) => ({
          ...object,
          size: formatBytes(object.size),
          modified: formatAgo(object.modifiedAt),
        })),
        total: formatBytes(orphans.reduce((sum, object) => sum + object.size, 0)),
      },
    });
  }

  @Post('orphans/delete')
  async deleteOrphan(@Body() form: OrphanFormDto, @Res() res: Response) {
    await this.explorer.deleteOrphan(form.ref);
    redirectWithFlash(res, '/admin/explorer/orphans', `Deleted ${form.ref}.`);
  }

  @Get('dangling')
  async dangling(@Req() req: PanelRequest, @Res() res: Response) {
    const result = await this.explorer.dangling();
    this.renderer.send(req, res, {
      view: 'explorer-dangling',
      title: 'Dangling records',
      data: { ...result, limit: DANGLING_CHECK_LIMIT },
    });
  }

  @Get('files/:fileId')
  async file(
    @Param('fileId', ParseObjectIdPipe) id: Types.ObjectId,
    @Req() req: PanelRequest,
    @Res() res: Response,
  ) {
    const [{ file, titleName, objects }, stills] = await Promise.all([
      this.explorer.file(id),
      this.explorer.stillsRun(id),
    ]);
    this.renderer.send(req, res, {
      view: 'explorer-file',
      title: file.fileName,
      scripts: ['admin/explorer-file.js'],
      data: {
        id: String(file._id),
        fileName: file.fileName,
        size: formatBytes(file.size),
        mime: file.mime,
        store: file.storage.kind,
        titleId: file.titleId ? String(file.titleId) : undefined,
        titleName,
        isVideo: Boolean(file.duration && file.streams.video.length > 0),
        stills: { ...stills, text: describeStillsRun(stills) },
        objects: objects.map((object) => ({ ...object, size: formatBytes(object.size) })),
      },
    });
  }

  @Post('files/:fileId/rename')
  async rename(
    @Param('fileId', ParseObjectIdPipe) id: Types.ObjectId,
    @Body() form: RenameFileFormDto,
    @Res() res: Response,
  ) {
    await this.explorer.rename(id, form.fileName);
    redirectWithFlash(res, `/admin/explorer/files/${String(id)}`, `Renamed to "${form.fileName}".`);
  }

  /**
   * Queues new stills (a worker makes them): a browser's form post goes back to the file's page, which
   * follows the run; a JSON client gets 202 and the address of the run's state.
   */
  @Post('files/:fileId/screenshots')
  async screenshots(
    @Param('fileId', ParseObjectIdPipe) id: Types.ObjectId,
    @Body() _form: PanelFormDto,
    @Req() req: PanelRequest,
    @Res() res: Response,
  ) {
    const run = await this.explorer.regenerateScreenshots(id);
    const stills = `/admin/explorer/files/${String(id)}/stills`;
    if (req.accepts(['html', 'json']) === 'json') {
      res
        .status(202)
        .location(stills)
        .json({ fileId: String(id), ...run, stills });
      return;
    }
    redirectWithFlash(res, `/admin/explorer/files/${String(id)}`, describeStillsRun(run));
  }

  /** The file's last stills run, polled by its page: `{state: none|queued|running|done|failed, ...}`. */
  @Get('files/:fileId/stills')
  async stills(@Param('fileId', ParseObjectIdPipe) id: Types.ObjectId, @Res() res: Response) {
    const run = await this.explorer.stillsRun(id);
    res.setHeader('Cache-Control', 'private, no-store');
    res.json({ ...run, text: describeStillsRun(run) });
  }
}

/** One line for the file page (the same line its script shows while polling). */
function describeStillsRun(run: StillsRun): string {
  switch (run.state) {
    case 'none':
      return '';
    case 'queued':
      return 'New screenshots are queued for a worker.';
    case 'running':
      return 'A worker is making new screenshots…';
    case 'done':
      return `Made ${run.made} new screenshots.`;
    case 'failed':
      return `Making new screenshots failed: ${run.message}`;
  }
}
