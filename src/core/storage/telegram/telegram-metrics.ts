import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram } from 'prom-client';
import { MetricsRegistry } from '../../metrics/metrics-registry.js';

@Injectable()
export class TelegramMetrics {
  readonly blockSeconds: Histogram;
  readonly floodWaits: Counter;
  readonly poolLoad: Gauge<'session'>;

  constructor(metrics: MetricsRegistry) {
    const registers = [metrics.registry];
    this.blockSeconds = new Histogram({
      name: 'streamvault_telegram_block_seconds',
      help: 'Latency of one upload.GetFile block',
      buckets: [0.025, 0.05, 0.1, 0.2, 0.4, 0.8, 1.6, 3.2, 6.4],
      registers,
    });
    this.floodWaits = new Counter({
      name: 'streamvault_telegram_flood_waits_total',
      help: 'FLOOD_WAIT answers received',
      registers,
    });
    this.poolLoad = new Gauge({
      name: 'streamvault_telegram_pool_load',
      help: 'Streams currently leased per Telegram session',
      labelNames: ['session'],
      registers,
    });
  }
}
