import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { type Request } from 'express';
import { type IdentifiedRequest } from '../../core/identity/identity.js';
import { StremioAddonService } from './stremio-addon.service.js';
import { type AddonKey, parseAddonKey } from './stremio-key.js';

export type AddonRequest = Request & IdentifiedRequest & { addonKey?: AddonKey };

/**
 * Every add-on route carries an app password (and maybe options) in its first segment: a malformed
 * option list is a 400, an unknown or revoked password a 401 (JSON, with the add-on's CORS headers).
 * No cache, so a revoked password stops working at once.
 */
@Injectable()
export class StremioKeyGuard implements CanActivate {
  constructor(private readonly addon: StremioAddonService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<AddonRequest>();
    const key = parseAddonKey(String(req.params.key ?? ''));
    req.identity = await this.addon.authorize(key);
    req.addonKey = key;
    return true;
  }
}
