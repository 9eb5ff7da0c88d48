import { Controller, Get, Head, Param, Req, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { type Request, type Response } from 'express';
import { AppError } from '../core/errors/app-error.js';
import { type IdentifiedRequest } from '../core/identity/identity.js';
import { sendMedia } from './http/send-media.js';
import { StreamMetrics } from './stream.metrics.js';
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
    const signed = req.query.md5 !== undefined || req.query.expires !== undefined;
    if (signed || req.identity?.kind !== 'user') {
      this.streams.assertSigned(decodedPath(req), stringParam(req.query.md5), stringParam(req.query.expires));
    }
    const file = await this.streams.file(fileId);
    this.metrics.active.inc();
    res.once('close', () => this.metrics.active.dec());
    const store = this.streams.storeKind;
    await sendMedia(req, res, file, {
      open: (start, end) => this.streams.read(file, start, end),
      onBytes: (count) => this.metrics.bytesServed.inc({ store }, count),
    });
  }
}

function stringParam(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** The path as nginx's `$uri` sees it (percent-decoded), which is what links sign. */
function decodedPath(req: Request): string {
  try {
    return decodeURIComponent(req.path);
  } catch {
    throw new AppError(400, 'bad_request', 'The request path is not valid percent-encoding.');
  }
}
