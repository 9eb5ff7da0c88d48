import { All, Controller, Logger, Req, Res } from '@nestjs/common';
import { type Request, type Response } from 'express';
import { ApiExcludeController } from '../../core/http/api-docs.decorators.js';
import { MusicMediaService } from '../streaming/music-media.service.js';
import { planTranscode, TranscodeRequestError } from '../streaming/transcode-format.js';
import { SubsonicAuth } from './subsonic-auth.js';
import { paramsOf, replyError } from './subsonic-request.js';
import { SubsonicError, SubsonicErrorCode } from './subsonic-response.js';

/**
 * Subsonic's byte calls, on streamers: `stream` (original bytes with ranges, or a transcode with
 * `format` / `maxBitRate` / `timeOffset`), `download` (always the original) and `getCoverArt`.
 */
@ApiExcludeController()
@Controller('rest')
export class SubsonicMediaController {
  private readonly logger = new Logger('subsonic');

  constructor(
    private readonly auth: SubsonicAuth,
    private readonly media: MusicMediaService,
  ) {}

  @All(['stream', 'stream.view'])
  async stream(@Req() req: Request, @Res() res: Response): Promise<void> {
    const params = paramsOf(req);
    try {
      await this.auth.authenticate(params, req.ip ?? '');
      const { track, file } = await this.media.track(params.required('id'));
      let plan;
      try {
        plan = planTranscode(
          track,
          params.string('format'),
          params.int('maxBitRate', 0, 0, 10000),
          params.int('timeOffset', 0, 0, 24 * 3600),
        );
      } catch (error) {
        if (error instanceof TranscodeRequestError)
          throw new SubsonicError(SubsonicErrorCode.Generic, error.message);
        throw error;
      }
      if (!plan) await this.media.sendOriginal(req, res, file);
      // A HEAD has no body to transcode for: its headers only, without taking a slot.
      else if (req.method === 'HEAD') await this.media.sendTranscodeHeaders(res, track, plan);
      else await this.media.sendTranscode(res, track, file, plan);
    } catch (error) {
      this.fail(res, params, error);
    }
  }

  @All(['download', 'download.view'])
  async download(@Req() req: Request, @Res() res: Response): Promise<void> {
    const params = paramsOf(req);
    try {
      await this.auth.authenticate(params, req.ip ?? '');
      const { file } = await this.media.track(params.required('id'));
      await this.media.sendOriginal(req, res, file, 'attachment');
    } catch (error) {
      this.fail(res, params, error);
    }
  }

  @All(['getCoverArt', 'getCoverArt.view'])
  async coverArt(@Req() req: Request, @Res() res: Response): Promise<void> {
    const params = paramsOf(req);
    try {
      await this.auth.authenticate(params, req.ip ?? '');
      const size = params.optionalInt('size', 1, 4096);
      // Answered from the records before any bytes: a revalidation or a HEAD never resizes.
      const cover = await this.media.locateCover(params.required('id'), size);
      res.setHeader('ETag', cover.etag);
      res.setHeader('Cache-Control', 'private, max-age=86400');
      if (req.headers['if-none-match'] === cover.etag) {
        res.status(304).end();
        return;
      }
      res.status(200).setHeader('Content-Type', 'image/jpeg');
      if (req.method === 'HEAD') {
        const length = await this.media.coverLength(cover);
        if (length !== undefined) res.setHeader('Content-Length', length);
        res.end();
        return;
      }
      const bytes = await this.media.coverBytes(cover);
      res.setHeader('Content-Length', bytes.length);
      res.end(bytes);
    } catch (error) {
      this.fail(res, params, error);
    }
  }

  private fail(res: Response, params: ReturnType<typeof paramsOf>, error: unknown): void {
    // Range and conditional failures of the original bytes are plain HTTP (416, 304...), as for any file.
    if (!(error instanceof SubsonicError) && (error as { getStatus?: () => number }).getStatus) throw error;
    if (!(error instanceof SubsonicError))
      this.logger.error(`media: ${(error as Error).stack ?? String(error)}`);
    replyError(res, params, error);
  }
}
