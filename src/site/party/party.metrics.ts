import { Injectable } from '@nestjs/common';
import { Counter, Gauge } from 'prom-client';
import { MetricsRegistry } from '../../core/metrics/metrics-registry.js';

@Injectable()
export class PartyMetrics {
  readonly sockets: Gauge;
  readonly cutOff: Counter;

  constructor(metrics: MetricsRegistry) {
    this.sockets = new Gauge({
      name: 'streamvault_party_sockets',
      help: 'Watch-party participants connected to this manager',
      registers: [metrics.registry],
    });
    this.cutOff = new Counter({
      name: 'streamvault_party_sockets_cut_off_total',
      help: 'Watch-party sockets closed for sending too many messages',
      registers: [metrics.registry],
    });
  }
}
