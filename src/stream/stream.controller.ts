import { Controller, Get, Head, Param, Req, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { type Request, type Response } from 'express';
import { type IdentifiedRequest } from '../core/identity/identity.js';
import { assertLinkAccess } from './http/link-access.js';
import { sendMedia } from './http/send-media.js';
import { StreamMetrics } from './stream.metrics.js';
import { StreamUsagePublisher } from './usage/stream-usage.publisher.js';
import { StreamService } from './stream.service.js';

/**
 * Media bytes. A request needs a valid signed link (`?md5=&expires=`, the same check nginx makes) or a
 * signed-in user's session. Ranges, conditionals and errors are RFC 9110 (see `sendMedia`).
 */
@ApiTags('stream')
@Controller('stream')
export class StreamController {
  constructor(
    private readonly streams: StreamService,
    private readonly metrics: StreamMetrics,
    private readonly usage: StreamUsagePublisher,
  ) {}

  @Get(':fileId/:fileName')
  get(@Param('fileId') fileId: string, @Req() req: Request & IdentifiedRequest, @Res() res: Response) {
    return this.serve(fileId, req, res);
  }

  @Head(':fileId/:fileName')
  head(@Param('fileId') fileId: string, @Req() req: Request & IdentifiedRequest, @Res() res: Response) {
    return this.serve(fileId, req, res);
  }

  private async serve(fileId: string, req: Request & IdentifiedRequest, res: Response): Promise<void> {
    assertLinkAccess(req, this.streams);
    const file = await this.streams.file(fileId);
    this.metrics.active.inc();
    this.usage.started();
    res.once('close', () => {
      this.metrics.active.dec();
      this.usage.ended();
    });
    const store = this.streams.storeKind;
    await sendMedia(req, res, file, {
      open: (start, end) => this.streams.read(file, start, end),
      onBytes: (count) => {
        this.metrics.bytesServed.inc({ store }, count);
        this.usage.served(count);
      },
    });
  }
}
