import { Controller, Get, Param, Res } from '@nestjs/common';
import { ApiTags } from '../../core/http/api-docs.decorators.js';
import { type Response } from 'express';
import { AppError } from '../../core/errors/app-error.js';
import { ArtworkRenditions } from './artwork-renditions.js';

/** An artwork id names one image forever (it is derived from the source URL): cache for a year. */
const CACHE_CONTROL = 'public, max-age=31536000, immutable';

/** `GET /media/artwork/:id/:size.webp`: posters and backdrops, public (no signature, no cookie). */
@ApiTags('library')
@Controller('media/artwork')
export class ArtworkController {
  constructor(private readonly renditions: ArtworkRenditions) {}

  @Get(':id/:file')
  async get(@Param('id') id: string, @Param('file') file: string, @Res() res: Response): Promise<void> {
    const size = /^(\w{1,10})\.webp$/.exec(file)?.[1];
    if (!size) throw new AppError(404, 'not_found', 'Artwork is served as <size>.webp.');
    const bytes = await this.renditions.get(id, size);
    res.set({
      'content-type': 'image/webp',
      'cache-control': CACHE_CONTROL,
      'content-length': String(bytes.length),
    });
    res.end(bytes);
  }
}
