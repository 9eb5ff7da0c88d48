import { Body, Controller, Get, Header, Put, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { type Response } from 'express';
import { CurrentIdentity, Roles } from '../../auth/access.decorators.js';
import { type Identity } from '../../core/identity/identity.js';
import { SatelliteOriginsDto } from './dto/satellite-origins.dto.js';
import { SatelliteService } from './satellite.service.js';

/** Readable from any origin: another instance or a mirror page may be the one asking. */
const PUBLIC_HEADERS = {
  'access-control-allow-origin': '*',
  'cross-origin-resource-policy': 'cross-origin',
  'cache-control': 'public, max-age=300',
};

/** The signed origin list for installed PWAs, its public key, and the admin's editing of it. */
@ApiTags('satellite')
@Controller()
export class SatelliteController {
  constructor(private readonly satellite: SatelliteService) {}

  @Get('satellite.json')
  async document(@Res({ passthrough: true }) res: Response) {
    res.set(PUBLIC_HEADERS);
    return this.satellite.document();
  }

  @Get('satellite.pub')
  @Header('content-type', 'text/plain; charset=utf-8')
  publicKey(@Res({ passthrough: true }) res: Response): string {
    res.set(PUBLIC_HEADERS);
    return this.satellite.publicKey;
  }

  @Get('api/satellite')
  @Roles('admin')
  view() {
    return this.satellite.view();
  }

  /** Replaces the origin list (the version goes up). */
  @Put('api/satellite')
  @Roles('admin')
  setOrigins(@Body() dto: SatelliteOriginsDto, @CurrentIdentity() identity: Identity) {
    return this.satellite.setOrigins(dto.origins, identity.name);
  }

  /** The signed file to publish on the mirrors (SATELLITE_MIRRORS). */
  @Get('api/satellite/download')
  @Roles('admin')
  @Header('content-disposition', 'attachment; filename="satellite.json"')
  download() {
    return this.satellite.document();
  }
}
