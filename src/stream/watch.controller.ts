import { Controller, Get, Param, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '../core/http/api-docs.decorators.js';
import { type Request, type Response } from 'express';
import { type IdentifiedRequest } from '../core/identity/identity.js';
import { formatBytes, formatClock } from '../core/util/format-units.js';
import { ViewRenderer } from '../core/views/view-renderer.js';
import { assertLinkAccess } from './http/link-access.js';
import { StreamService } from './stream.service.js';
import { TEXT_SUBTITLE_CODECS } from './subtitles/subtitle-extractor.js';

/** `GET /watch/:fileId`: a player page with a signed stream URL and one `<track>` per text subtitle. */
@ApiExcludeController()
@Controller('watch')
export class WatchController {
  constructor(
    private readonly streams: StreamService,
    private readonly views: ViewRenderer,
  ) {}

  @Get(':fileId')
  async watch(
    @Param('fileId') fileId: string,
    @Req() req: Request & IdentifiedRequest,
    @Res() res: Response,
  ) {
    assertLinkAccess(req, this.streams, { guests: true });
    const file = await this.streams.file(fileId);
    const id = String(file._id);
    const tracks = file.streams.subtitles
      .map((track, position) => ({ track, position }))
      .filter(({ track }) => !track.bitmap && TEXT_SUBTITLE_CODECS.has(track.codec))
      .map(({ track, position }) => ({
        url: this.streams.signPath(['subtitles', id, `${position}.vtt`]).url,
        language: track.language ?? 'und',
        label: track.title ?? track.language ?? `Track ${position + 1}`,
        isDefault: track.isDefault ?? false,
      }));
    res.setHeader('Cache-Control', 'private, no-store');
    res.type('html').send(
      this.views.render('watch/watch', {
        title: file.fileName,
        streamUrl: this.streams.sign(file).url,
        // The middle still (50%) when ingest made the usual three.
        poster:
          file.screenshots.length > 0
            ? this.streams.signPath([
                'media',
                id,
                'screenshots',
                String(Math.floor(file.screenshots.length / 2)),
              ]).url
            : undefined,
        // Browsers sniff Matroska themselves; declaring its type would make some refuse it outright.
        mime: file.mime === 'video/x-matroska' ? '' : file.mime,
        tracks,
        sizeLabel: formatBytes(file.size),
        durationLabel: file.duration ? formatClock(file.duration) : '',
      }),
    );
  }
}
