import { type IncomingMessage, type ServerResponse } from 'node:http';
import { Inject, Injectable } from '@nestjs/common';
import { type Counter } from 'prom-client';
import { APP_CONFIG, type AppConfig } from '../core/config/app-config.js';
import { type MediaFile } from '../library/schemas/media-file.schema.js';
import { sendMedia } from './http/send-media.js';
import { StreamMetrics } from './stream.metrics.js';
import { StreamService } from './stream.service.js';
import { StreamUsagePublisher } from './usage/stream-usage.publisher.js';
import { TenantUsageMeter } from './usage/tenant-usage.meter.js';
import { slotFreeCreative } from '../core/tenancy/ad-creative.js';
import { TenantContext } from '../core/tenancy/tenant-context.js';

/**
 * `ad`: a house ad's creative, played through its own signed link (`/stream/<id>/ad/<name>`) while the
 * content it precedes preloads.
 */
export type DeliveryKind = 'content' | 'ad';

/** Writes a file's bytes for an authorised request, counted in the stream metrics and usage (per tenant too). */
@Injectable()
export class MediaDelivery {
  private readonly bytesServed: Counter.Internal;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly streams: StreamService,
    private readonly metrics: StreamMetrics,
    private readonly usage: StreamUsagePublisher,
    private readonly tenantUsage: TenantUsageMeter,
  ) {
    this.bytesServed = metrics.bytesServed.labels({ store: streams.storeKind });
  }

  async deliver(
    req: IncomingMessage,
    res: ServerResponse,
    file: MediaFile,
    kind: DeliveryKind = 'content',
  ): Promise<void> {
    const tenant = TenantContext.current();
    // An ad's bytes are the site's bytes (metered, refused past its GiB), but it takes no stream slot;
    // a file longer than an ad does (a link minted for a house ad that has since been re-probed or was
    // set before the length rule), whatever path it came by.
    const slot = kind === 'content' || !slotFreeCreative(file);
    const release = await this.tenantUsage.admit(tenant, { slot });
    // The client left while its slot was being taken: 'close' has fired already and would not again.
    if (res.destroyed || req.socket.destroyed) return release();
    this.metrics.active.inc();
    this.usage.started();
    res.once('close', () => {
      this.metrics.active.dec();
      this.usage.ended();
      release();
    });
    await sendMedia(req, res, file, {
      open: (start, end) => this.streams.read(file, start, end),
      sendTimeoutMs: this.config.stream.sendTimeoutMs,
      onBytes: (count) => {
        this.bytesServed.inc(count);
        this.usage.served(count);
        this.tenantUsage.served(tenant.id, count);
      },
    });
  }
}
