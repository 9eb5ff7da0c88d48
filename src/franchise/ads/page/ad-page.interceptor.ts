import {
  type CallHandler,
  type ExecutionContext,
  Injectable,
  Logger,
  type NestInterceptor,
} from '@nestjs/common';
import { type Request, type Response } from 'express';
import { type Observable } from 'rxjs';
import { type IdentifiedRequest } from '../../../core/identity/identity.js';
import { type AdPageRequest } from './ad-page.js';
import { AdPagesService } from './ad-pages.service.js';
import { widenPolicy } from './content-security-policy.js';

/** Paths that are never site pages (APIs, the panel, bytes, protocol endpoints): no ads, CSP untouched. */
const NOT_A_PAGE =
  /^\/(api|admin|assets|ads|stream|media|subtitles|healthz|metrics|rest|opds|stremio|satellite|sw\.js|manifest)(\/|\.|$)/;

/**
 * Before a site page renders (after the identity guard, which is why this is an interceptor), works out
 * its ads for this viewer, leaves them on the request for `SitePageRenderer`, and widens the response's
 * CSP for exactly the owner's ad origins and the page's nonce. A failure here costs the ads, never the page.
 */
@Injectable()
export class AdPageInterceptor implements NestInterceptor {
  private readonly logger = new Logger('ads');

  constructor(private readonly pages: AdPagesService) {}

  async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    if (context.getType() !== 'http') return next.handle();
    const req = context.switchToHttp().getRequest<Request & IdentifiedRequest & AdPageRequest>();
    if (req.method !== 'GET' || NOT_A_PAGE.test(req.path) || !req.accepts('html')) return next.handle();
    try {
      const prepared = await this.pages.prepare(req);
      if (prepared) {
        const res = context.switchToHttp().getResponse<Response>();
        const policy = res.getHeader('content-security-policy');
        if (typeof policy === 'string')
          res.setHeader(
            'content-security-policy',
            widenPolicy(policy, { nonce: prepared.page.nonce, origins: prepared.origins }),
          );
        req.adPage = prepared.page;
      }
    } catch (error) {
      this.logger.warn(`no ads on ${req.path}: ${(error as Error).message}`);
    }
    return next.handle();
  }
}
