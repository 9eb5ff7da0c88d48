import { Controller, Get, Header, Res } from '@nestjs/common';
import { type Response } from 'express';
import { MetricsRegistry } from './metrics-registry.js';

@Controller()
export class MetricsController {
  constructor(private readonly metrics: MetricsRegistry) {}

  @Get('metrics')
  @Header('Cache-Control', 'no-store')
  async scrape(@Res() res: Response): Promise<void> {
    res.type(this.metrics.registry.contentType).send(await this.metrics.registry.metrics());
  }
}
