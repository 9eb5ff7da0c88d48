import { Controller, Get, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { type Request, type Response } from 'express';
import { type IdentifiedRequest } from '../../core/identity/identity.js';
import { type LiveLogLine } from '../../core/logging/log-line.js';
import { SseConnections } from '../live/sse-connections.js';
import { PanelExceptionFilter } from '../panel-exception.filter.js';
import { PanelRenderer } from '../panel-renderer.js';
import { CsrfGuard } from '../security/csrf.guard.js';
import { PanelAccessGuard } from '../security/panel-access.guard.js';
import { LogFeed } from './log-feed.js';

/** Lines of history a new viewer starts with. */
const HISTORY = 300;

/** `/admin/logs` ("Matrix"): every process's log lines, live; filtering and pausing happen in the page. */
@ApiExcludeController()
@Controller('admin/logs')
@UseGuards(PanelAccessGuard, CsrfGuard)
@UseFilters(PanelExceptionFilter)
export class LogsController {
  constructor(
    private readonly feed: LogFeed,
    private readonly renderer: PanelRenderer,
    private readonly sse: SseConnections,
  ) {}

  @Get()
  page(@Req() req: Request & IdentifiedRequest, @Res() res: Response): void {
    this.renderer.send(req, res, {
      view: 'logs',
      title: 'Live logs',
      scripts: ['admin/logs.js'],
      data: {
        levels: ['trace', 'debug', 'info', 'warn', 'error', 'fatal'],
        roles: ['manager', 'worker', 'streamer'],
      },
    });
  }

  @Get('events')
  async events(@Req() req: Request, @Res() res: Response): Promise<void> {
    const stream = this.sse.start(req, res);
    // Subscribed before the history is read so nothing logged in between is lost; lines arriving
    // meanwhile wait, so the page receives them in order (one may repeat a history line).
    let waiting: LiveLogLine[] | undefined = [];
    const unsubscribe = await this.feed.subscribe((line) =>
      waiting ? waiting.push(line) : stream.send('line', line),
    );
    stream.onClose(unsubscribe);
    stream.send('history', await this.feed.history(HISTORY));
    for (const line of waiting) stream.send('line', line);
    waiting = undefined;
  }
}
