import { Controller, Get, Header, Post, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { type Request, type Response } from 'express';
import { type Identity, type IdentifiedRequest } from '../../core/identity/identity.js';
import { SatelliteService } from '../../site/satellite/satellite.service.js';
import { PanelExceptionFilter } from '../panel-exception.filter.js';
import { redirectWithFlash } from '../panel-renderer.js';
import { CsrfGuard } from '../security/csrf.guard.js';
import { PanelAccessGuard } from '../security/panel-access.guard.js';

type PanelRequest = Request & IdentifiedRequest & { identity: Identity };

const MAX_ORIGINS = 20;

/** Settings → Satellite: the origin list installed PWAs fail over to, and the signed file for the mirrors. */
@ApiExcludeController()
@Controller('admin/settings/satellite')
@UseGuards(PanelAccessGuard, CsrfGuard)
@UseFilters(PanelExceptionFilter)
export class SatelliteSettingsController {
  constructor(private readonly satellite: SatelliteService) {}

  /** One origin per line; the version goes up with every save. */
  @Post()
  async save(@Req() req: PanelRequest, @Res() res: Response): Promise<void> {
    const text = String((req.body as { origins?: unknown } | undefined)?.origins ?? '');
    const lines = text
      .split(/\r?\n/)
      .map((line) => line.trim())
      .filter(Boolean);
    const bad = lines.find((line) => !isHttpOrigin(line));
    if (lines.length === 0 || lines.length > MAX_ORIGINS || bad !== undefined) {
      const why =
        bad !== undefined
          ? `"${bad.slice(0, 80)}" is not an http(s) address such as https://media.example.com.`
          : `Give 1 to ${MAX_ORIGINS} origins, one per line.`;
      return redirectWithFlash(res, '/admin/settings', `Satellite origins not saved: ${why}`);
    }
    const saved = await this.satellite.setOrigins(lines, req.identity.name);
    redirectWithFlash(
      res,
      '/admin/settings',
      `Satellite origins saved (version ${saved.version}); download satellite.json and publish it on the mirrors.`,
    );
  }

  @Get('satellite.json')
  @Header('content-disposition', 'attachment; filename="satellite.json"')
  download() {
    return this.satellite.document();
  }
}

function isHttpOrigin(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && !url.username && !url.password;
  } catch {
    return false;
  }
}
