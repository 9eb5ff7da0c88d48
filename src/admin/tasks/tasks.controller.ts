import { Body, Controller, Get, Logger, Param, Post, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { type Request, type Response } from 'express';
import { type Identity, type IdentifiedRequest } from '../../core/identity/identity.js';
import { AppError } from '../../core/errors/app-error.js';
import { IngestService } from '../../ingest/ingest.service.js';
import { PanelFormDto } from '../dto/panel-form.dto.js';
import { SubmitTaskFormDto } from '../dto/submit-task-form.dto.js';
import { SseConnections } from '../live/sse-connections.js';
import { PanelExceptionFilter } from '../panel-exception.filter.js';
import { PanelRenderer, redirectWithFlash } from '../panel-renderer.js';
import { CsrfGuard } from '../security/csrf.guard.js';
import { PanelAccessGuard, PanelRoles } from '../security/panel-access.guard.js';
import { presentTask } from './task-presenter.js';

/** How often the live list re-reads tasks and progress (the worker writes progress at most 1/s). */
const POLL_MS = 1000;
const LISTED = 50;

type PanelRequest = Request & IdentifiedRequest & { identity: Identity };

/** `/admin/tasks`: the ingest queue, live over SSE, with submit, cancel and retry. */
@ApiExcludeController()
@Controller('admin/tasks')
@PanelRoles('admin', 'uploader')
@UseGuards(PanelAccessGuard, CsrfGuard)
@UseFilters(PanelExceptionFilter)
export class TasksController {
  private readonly logger = new Logger('admin');

  constructor(
    private readonly ingest: IngestService,
    private readonly renderer: PanelRenderer,
    private readonly sse: SseConnections,
  ) {}

  @Get()
  async list(@Req() req: PanelRequest, @Res() res: Response): Promise<void> {
    await this.page(req, res, 200, {});
  }

  @Get('events')
  events(@Req() req: PanelRequest, @Res() res: Response): void {
    const stream = this.sse.start(req, res);
    let last = '';
    let stopped = false;
    const tick = async () => {
      try {
        const rows = (await this.ingest.list(LISTED)).map(presentTask);
        const json = JSON.stringify(rows);
        if (json !== last) stream.send('tasks', rows);
        last = json;
      } catch (error) {
        stream.send('problem', { message: `Could not read tasks: ${(error as Error).message}` });
      }
      if (!stopped) timer = setTimeout(() => void tick(), POLL_MS);
    };
    let timer = setTimeout(() => void tick(), 0);
    stream.onClose(() => {
      stopped = true;
      clearTimeout(timer);
    });
  }

  @Post()
  async submit(
    @Body() form: SubmitTaskFormDto,
    @Req() req: PanelRequest,
    @Res() res: Response,
  ): Promise<void> {
    let submitted;
    try {
      submitted = await this.ingest.submit({ url: form.url, hint: form.hint, requester: req.identity });
    } catch (error) {
      if (!(error instanceof AppError) || error.getStatus() >= 500) throw error;
      const message = (error.getResponse() as { message?: string }).message ?? error.message;
      return this.page(req, res, error.getStatus(), { error: message, url: form.url, hint: form.hint });
    }
    this.logger.log({
      msg: `task ${submitted.taskId} ${submitted.existing ? 're-requested' : 'submitted'} from the panel by ${req.identity.name}`,
      taskId: submitted.taskId,
    });
    redirectWithFlash(
      res,
      '/admin/tasks',
      submitted.existing ? 'That link is already being fetched.' : 'Task queued.',
    );
  }

  @Post(':taskId/cancel')
  async cancel(
    @Param('taskId') taskId: string,
    @Body() _form: PanelFormDto,
    @Req() req: PanelRequest,
    @Res() res: Response,
  ): Promise<void> {
    await this.ingest.cancel(taskId, req.identity);
    redirectWithFlash(res, '/admin/tasks', 'Task cancelled.');
  }

  @Post(':taskId/retry')
  async retry(
    @Param('taskId') taskId: string,
    @Body() _form: PanelFormDto,
    @Req() req: PanelRequest,
    @Res() res: Response,
  ): Promise<void> {
    await this.ingest.retry(taskId, req.identity);
    redirectWithFlash(res, '/admin/tasks', 'Task queued again.');
  }

  private async page(req: PanelRequest, res: Response, status: number, data: Record<string, unknown>) {
    const tasks = (await this.ingest.list(LISTED)).map(presentTask);
    this.renderer.send(req, res, {
      view: 'tasks',
      title: 'Tasks',
      scripts: ['admin/tasks.js'],
      status,
      data: { ...data, tasks },
    });
  }
}
