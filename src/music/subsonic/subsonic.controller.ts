import { All, Controller, Logger, Param, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { type Request, type Response } from 'express';
import { SubsonicAuth } from './subsonic-auth.js';
import { methodOf, paramsOf, reply, replyError } from './subsonic-request.js';
import { SubsonicError } from './subsonic-response.js';
import { SubsonicService } from './subsonic.service.js';

/**
 * The Subsonic / OpenSubsonic API on managers (`/rest/<method>` and `/rest/<method>.view`, GET or a
 * POST form): authenticate with an app password, answer one endpoint, XML or JSON (`f`). The byte
 * calls (stream, download, getCoverArt) are SubsonicMediaController's, on streamers.
 */
@ApiExcludeController()
@Controller('rest')
export class SubsonicController {
  private readonly logger = new Logger('subsonic');

  constructor(
    private readonly auth: SubsonicAuth,
    private readonly subsonic: SubsonicService,
  ) {}

  @All(':method')
  async call(@Param('method') path: string, @Req() req: Request, @Res() res: Response): Promise<void> {
    const params = paramsOf(req);
    try {
      // Credentials first, for every method: an unknown or refused one is only told to a signed-in client.
      const identity = await this.auth.authenticate(params, req.ip ?? '');
      reply(res, params, await this.subsonic.handle(methodOf(path), { params, identity }));
    } catch (error) {
      if (!(error instanceof SubsonicError))
        this.logger.error(`${path}: ${(error as Error).stack ?? String(error)}`);
      replyError(res, params, error);
    }
  }
}
