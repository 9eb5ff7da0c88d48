import { Controller, Get, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { type Request, type Response } from 'express';
import { type IdentifiedRequest } from '../../core/identity/identity.js';
import { IngestService } from '../../ingest/ingest.service.js';
import { PanelExceptionFilter } from '../panel-exception.filter.js';
import { PanelRenderer } from '../panel-renderer.js';
import { CsrfGuard } from '../security/csrf.guard.js';
import { PanelAccessGuard, PanelRoles } from '../security/panel-access.guard.js';
import { presentTask } from '../tasks/task-presenter.js';
import { DashboardService } from './dashboard.service.js';

/** `/admin`: the state of the install at a glance. */
@ApiExcludeController()
@Controller('admin')
@PanelRoles('admin', 'uploader')
@UseGuards(PanelAccessGuard, CsrfGuard)
@UseFilters(PanelExceptionFilter)
export class DashboardController {
  constructor(
    private readonly dashboard: DashboardService,
    private readonly ingest: IngestService,
    private readonly renderer: PanelRenderer,
  ) {}

  @Get()
  async show(@Req() req: Request & IdentifiedRequest, @Res() res: Response): Promise<void> {
    const [overview, tasks] = await Promise.all([this.dashboard.overview(), this.ingest.list(50)]);
    const rows = tasks.map(presentTask);
    this.renderer.send(req, res, {
      view: 'dashboard',
      title: 'Dashboard',
      data: {
        ...overview,
        activeTasks: rows.filter((task) => task.canCancel),
        failedTasks: rows.filter((task) => task.state === 'failed'),
      },
    });
  }
}
