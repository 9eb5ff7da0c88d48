import { Injectable } from '@nestjs/common';
import { Counter, Gauge } from 'prom-client';
import { MetricsRegistry } from '../core/metrics/metrics-registry.js';
import { localInline } from '../core/storage/inline-file-ops.js';

@Injectable()
export class StreamMetrics {
  readonly active: Gauge;
  readonly bytesServed: Counter;
  readonly localInlineBackoffs: Counter;
  readonly localReadsOnLoop: Gauge;

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
    let counted = 0;
    this.localInlineBackoffs = new Counter({
      name: 'streamvault_local_inline_backoffs_total',
      help: "Times slow local opens or first reads sent the streams' first operations back to the thread pool for a while",
      registers: [metrics.registry],
      collect() {
        this.inc(localInline.backoffs - counted);
        counted = localInline.backoffs;
      },
    });
    this.localReadsOnLoop = new Gauge({
      name: 'streamvault_local_reads_on_loop',
      help: "1 while local streams' opens and first reads run on the event loop, 0 while they go through the thread pool (turned off, or backing off after a slow one)",
      registers: [metrics.registry],
      collect() {
        this.set(localInline.allowed ? 1 : 0);
      },
    });
  }
}
