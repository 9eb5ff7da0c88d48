import { Injectable } from '@nestjs/common';
import { Counter, Gauge } from 'prom-client';
import { MetricsRegistry } from '../core/metrics/metrics-registry.js';

@Injectable()
export class StreamMetrics {
  readonly active: Gauge;
  readonly bytesServed: Counter;

  constructor(metrics: MetricsRegistry) {
    this.active = new Gauge({
      name: 'streamvault_streams_active',
      help: 'Media responses currently being written',
      registers: [metrics.registry],
    });
    this.bytesServed = new Counter({
      name: 'streamvault_stream_bytes_served_total',
      help: 'Media bytes written to clients',
      labelNames: ['store'],
      registers: [metrics.registry],
    });
  }
}
