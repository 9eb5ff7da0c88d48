import { Controller, Get, Param, Req, Res } from '@nestjs/common';
import { ApiTags } from '../core/http/api-docs.decorators.js';
import { type Request, type Response } from 'express';
import { AppError } from '../core/errors/app-error.js';
import { type IdentifiedRequest } from '../core/identity/identity.js';
import { assertLinkAccess } from './http/link-access.js';
import { partRepresentation } from './http/representation.js';
import { sendMedia } from './http/send-media.js';
import { StreamService } from './stream.service.js';

const IMAGE_TYPES: Record<string, string> = {
  webp: 'image/webp',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
};

/** `GET /media/:fileId/screenshots/:n`: a file's stills (posters), under the stream link rules. */
@ApiTags('stream')
@Controller('media')
export class ScreenshotsController {
  constructor(private readonly streams: StreamService) {}

  @Get(':fileId/screenshots/:index')
  async screenshot(
    @Param('fileId') fileId: string,
    @Param('index') index: string,
    @Req() req: Request & IdentifiedRequest,
    @Res() res: Response,
  ): Promise<void> {
    assertLinkAccess(req, this.streams, { guests: true });
    const file = await this.streams.file(fileId);
    const shot = /^\d{1,2}$/.test(index) ? file.screenshots[Number(index)] : undefined;
    if (!shot)
      throw new AppError(404, 'not_found', `File ${fileId} has no screenshot ${index.slice(0, 10)}.`);
    const extension = /\.(\w+)$/.exec(shot.ref)?.[1]?.toLowerCase() ?? '';
    const still = {
      ...file,
      size: shot.size,
      mime: IMAGE_TYPES[extension] ?? 'application/octet-stream',
      fileName: `${file.fileName}.${index}.${extension || 'img'}`,
    };
    await sendMedia(
      req,
      res,
      still,
      { open: (start, end) => this.streams.readParts([shot], start, end), onBytes: () => {} },
      // Its own validators: stills made again (same size or not) must not be 304 Not Modified.
      partRepresentation(still, shot),
    );
  }
}
