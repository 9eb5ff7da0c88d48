import { Controller, Get, Param, Req, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { type CatalogExtra, StremioAddonService } from './stremio-addon.service.js';
import { parseExtra, stripJson } from './stremio-extra.js';
import { type AddonRequest, StremioKeyGuard } from './stremio-key.guard.js';
import { type AddonKey } from './stremio-key.js';

/**
 * The Stremio add-on protocol (v3) under `/stremio/<app password>[~options]/`: manifest, catalogs,
 * metas, streams and subtitles, all JSON. CORS headers come from `stremioCors` (every answer, errors
 * too).
 */
@ApiExcludeController()
@Controller('stremio/:key')
@UseGuards(StremioKeyGuard)
export class StremioAddonController {
  constructor(private readonly addon: StremioAddonService) {}

  @Get('manifest.json')
  manifest(@Req() req: AddonRequest) {
    return this.addon.manifest(keyOf(req));
  }

  @Get('catalog/:type/:file')
  catalog(@Param('type') type: string, @Param('file') file: string, @Req() req: AddonRequest) {
    return this.addon.catalogPage(keyOf(req), type, stripJson(file), {});
  }

  @Get('catalog/:type/:id/:extra')
  catalogWithExtra(@Param('type') type: string, @Param('id') id: string, @Req() req: AddonRequest) {
    const { search, genre, skip }: CatalogExtra = parseExtra(lastSegment(req));
    return this.addon.catalogPage(keyOf(req), type, id, { search, genre, skip });
  }

  @Get('meta/:type/:file')
  meta(@Param('type') type: string, @Param('file') file: string) {
    return this.addon.meta(type, stripJson(file));
  }

  @Get('stream/:type/:file')
  stream(@Param('type') type: string, @Param('file') file: string) {
    return this.addon.streams(type, stripJson(file));
  }

  @Get('subtitles/:type/:file')
  subtitles(@Param('type') type: string, @Param('file') file: string) {
    return this.addon.subtitles(type, stripJson(file));
  }

  @Get('subtitles/:type/:id/:extra')
  subtitlesWithExtra(@Param('type') type: string, @Param('id') id: string, @Req() req: AddonRequest) {
    return this.addon.subtitles(type, id, parseExtra(lastSegment(req)).videoSize);
  }
}

function keyOf(req: AddonRequest): AddonKey {
  if (!req.addonKey) throw new Error('StremioKeyGuard did not run');
  return req.addonKey;
}

/** The extra segment as sent (still percent-encoded), so separators inside values stay data. */
function lastSegment(req: AddonRequest): string {
  return req.path.slice(req.path.lastIndexOf('/') + 1);
}
