import { Controller, Get, Param, Req, Res } from '@nestjs/common';
import { ApiTags } from '../core/http/api-docs.decorators.js';
import { type Request, type Response } from 'express';
import { AppError } from '../core/errors/app-error.js';
import { type IdentifiedRequest } from '../core/identity/identity.js';
import { assertLinkAccess } from './http/link-access.js';
import { StreamService } from './stream.service.js';
import { SubtitleService } from './subtitles/subtitle.service.js';

/** `GET /subtitles/:fileId/:track.vtt`: a text subtitle track as WebVTT, under the stream link rules. */
@ApiTags('stream')
@Controller('subtitles')
export class SubtitlesController {
  constructor(
    private readonly streams: StreamService,
    private readonly subtitles: SubtitleService,
  ) {}

  @Get(':fileId/:track')
  async get(
    @Param('fileId') fileId: string,
    @Param('track') trackName: string,
    @Req() req: Request & IdentifiedRequest,
    @Res() res: Response,
  ): Promise<void> {
    const track = /^(\d{1,3})\.vtt$/.exec(trackName)?.[1];
    if (track === undefined) throw new AppError(404, 'not_found', 'Subtitle tracks are named <number>.vtt.');
    assertLinkAccess(req, this.streams, { guests: true });
    const file = await this.streams.file(fileId);
    const vtt = await this.subtitles.webVtt(file, Number(track));
    res.setHeader('Content-Type', 'text/vtt; charset=utf-8');
    res.setHeader('Cache-Control', 'private, max-age=3600');
    res.send(vtt);
  }
}
