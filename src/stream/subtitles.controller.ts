import { Controller, Get, Head, Param, Req, Res } from '@nestjs/common';
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

  // Before the GET: Express would answer a HEAD with the GET route, which runs the extraction.
  /** HEAD: the GET's headers and errors without running ffmpeg; the length only once it is known. */
  @Head(':fileId/:track')
  async head(
    @Param('fileId') fileId: string,
    @Param('track') trackName: string,
    @Req() req: Request & IdentifiedRequest,
    @Res() res: Response,
  ): Promise<void> {
    const { file, track } = await this.track(fileId, trackName, req);
    const length = this.subtitles.knownLength(file, track);
    setHeaders(res);
    if (length !== undefined) res.setHeader('Content-Length', String(length));
    res.status(200).end();
  }

  @Get(':fileId/:track')
  async get(
    @Param('fileId') fileId: string,
    @Param('track') trackName: string,
    @Req() req: Request & IdentifiedRequest,
    @Res() res: Response,
  ): Promise<void> {
    const { file, track } = await this.track(fileId, trackName, req);
    const vtt = await this.subtitles.webVtt(file, track);
    setHeaders(res);
    res.send(vtt);
  }

  private async track(fileId: string, trackName: string, req: Request & IdentifiedRequest) {
    const track = /^(\d{1,3})\.vtt$/.exec(trackName)?.[1];
    if (track === undefined) throw new AppError(404, 'not_found', 'Subtitle tracks are named <number>.vtt.');
    assertLinkAccess(req, this.streams, { guests: true });
    return { file: await this.streams.file(fileId), track: Number(track) };
  }
}

function setHeaders(res: Response): void {
  res.setHeader('Content-Type', 'text/vtt; charset=utf-8');
  res.setHeader('Cache-Control', 'private, max-age=3600');
}
