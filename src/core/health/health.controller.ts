import { Controller, Get, Header, Res } from '@nestjs/common';
import { type Response } from 'express';
import { HealthService } from './health.service.js';

@Controller()
export class HealthController {
  constructor(private readonly health: HealthService) {}

  /** 200 when every dependency answers, 503 naming the failing one otherwise. */
  @Get('healthz')
  @Header('Cache-Control', 'no-store')
  async healthz(@Res() res: Response): Promise<void> {
    const report = await this.health.check();
    res.status(report.status === 'ok' ? 200 : 503).json(report);
  }
}
