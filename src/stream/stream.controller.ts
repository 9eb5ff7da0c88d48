import { Controller, Get, Head, Param, Req, Res } from '@nestjs/common';
import { ApiTags } from '../core/http/api-docs.decorators.js';
import { type Request, type Response } from 'express';
import { type IdentifiedRequest } from '../core/identity/identity.js';
import { assertLinkAccess } from './http/link-access.js';
import { type DeliveryKind, MediaDelivery } from './media-delivery.js';
import { StreamService } from './stream.service.js';

/**
 * Media bytes. A request needs a valid signed link (`?md5=&expires=`, the same check nginx makes) or a
 * signed-in user's session. Ranges, conditionals and errors are RFC 9110 (see `sendMedia`). Signed
 * requests are answered before Express by `StreamFastPath`; this route serves sessions (and anything
 * the fast path leaves alone) with the same behaviour. `/stream/:fileId/ad/:fileName` is a house ad's
 * creative: signed links only (the house ad's VAST mints them), and it takes no tenant stream slot.
 */
@ApiTags('stream')
@Controller('stream')
export class StreamController {
  constructor(
    private readonly streams: StreamService,
    private readonly delivery: MediaDelivery,
  ) {}

  @Get(':fileId/:fileName')
  get(@Param('fileId') fileId: string, @Req() req: Request & IdentifiedRequest, @Res() res: Response) {
    return this.serve(fileId, req, res);
  }

  @Head(':fileId/:fileName')
  head(@Param('fileId') fileId: string, @Req() req: Request & IdentifiedRequest, @Res() res: Response) {
    return this.serve(fileId, req, res);
  }

  @Get(':fileId/ad/:fileName')
  getAd(@Param('fileId') fileId: string, @Req() req: Request & IdentifiedRequest, @Res() res: Response) {
    return this.serve(fileId, req, res, 'ad');
  }

  @Head(':fileId/ad/:fileName')
  headAd(@Param('fileId') fileId: string, @Req() req: Request & IdentifiedRequest, @Res() res: Response) {
    return this.serve(fileId, req, res, 'ad');
  }

  private async serve(
    fileId: string,
    req: Request & IdentifiedRequest,
    res: Response,
    kind: DeliveryKind = 'content',
  ): Promise<void> {
    // An ad path is slot-free: only a link minted for the ad opens it, never a session for any file.
    assertLinkAccess(req, this.streams, { sessions: kind === 'content' });
    await this.delivery.deliver(req, res, await this.streams.file(fileId), kind);
  }
}
