import { TenantResolver } from '../../core/tenancy/tenant-resolver.js';
import { DEFAULT_TENANT, isDefaultTenant } from '../../core/tenancy/tenant.js';
import { type IncomingMessage, type ServerResponse } from 'node:http';
import { Injectable, type OnModuleInit } from '@nestjs/common';
import { FastPaths } from '../../core/http/fast-paths.js';
import { requestIdOf } from '../../core/http/request-id.js';
import { MetricsRegistry } from '../../core/metrics/metrics-registry.js';
import { type PageBytes, ReadVaultService } from '../readvault.service.js';
import { endMetered } from './metered-body.js';
import { pageCachingHeaders } from './page-caching.js';

/** `/api/readvault/chapters/<id>/pages/<n>` with at most `?width=<digits>`, as the route accepts them. */
const PAGE_PATH = /^\/api\/readvault\/chapters\/([^/?]+)\/pages\/(\d{1,6})(?:\?width=(\d{1,5}))?$/;
const ROUTE = '/api/readvault/chapters/:id/pages/:number';

/**
 * A reader turning pages: `GET /api/readvault/chapters/:id/pages/:n[?width=]` answered before Express
 * (no guards or cookies matter to a public page), from the kept chapter record, the page's recorded
 * byte span and the resize cache. Only the plain success is answered here: anything else — a bad
 * number or width, a missing chapter, a damaged page, a conditional request — goes on to the Express
 * route, which answers it as always (nothing has been written by then).
 */
@Injectable()
export class PageFastPath implements OnModuleInit {
  /** The headers every page answer here carries (security headers, the default site's caching), flat. */
  private readonly fixed: readonly string[];

  constructor(
    private readonly fastPaths: FastPaths,
    private readonly readvault: ReadVaultService,
    private readonly metrics: MetricsRegistry,
    private readonly tenants: TenantResolver,
  ) {
    this.fixed = [...fastPaths.securityHeaders.flat(), ...pageCachingHeaders(DEFAULT_TENANT).flat()];
  }

  onModuleInit(): void {
    this.fastPaths.register((req, res, next) => this.handle(req, res, next));
  }

  handle(req: IncomingMessage, res: ServerResponse, next: () => void): boolean {
    if (req.method !== 'GET' || req.headers['if-none-match']) return false;
    const match = PAGE_PATH.exec(req.url ?? '');
    if (!match) return false;
    const number = Number(match[2]);
    const width = match[3] === undefined ? undefined : Number(match[3]);
    if (number < 1 || (width !== undefined && (width < 1 || width > 10000))) return false;
    let chapterId: string;
    try {
      chapterId = decodeURIComponent(match[1]);
    } catch {
      return false;
    }
    // A page read lately, of a chapter whose records are kept, asked on the default site (known
    // from the tenant cache): answered now, nothing awaited. A tenant's page (its scope) never is.
    const site = this.tenants.resolveCached(req);
    const hot =
      site && !('refusal' in site) && isDefaultTenant(site.tenant)
        ? this.readvault.hotPage(chapterId, number, width)
        : undefined;
    if (hot) {
      this.send(req, res, hot, process.hrtime.bigint());
      return true;
    }
    void this.serve(req, res, chapterId, number, width, next);
    return true;
  }

  private async serve(
    req: IncomingMessage,
    res: ServerResponse,
    chapterId: string,
    number: number,
    width: number | undefined,
    next: () => void,
  ): Promise<void> {
    const started = process.hrtime.bigint();
    let page: PageBytes;
    try {
      // Only the default site's pages take this path: a franchise tenant's (its scope, features,
      // suspension) go through the route and the tenant middleware.
      const resolution = await this.tenants.resolve(req);
      if ('refusal' in resolution || !isDefaultTenant(resolution.tenant)) throw new Error('tenant site');
      page = await this.readvault.page(chapterId, number, width);
    } catch {
      next(); // the route says what went wrong, as always
      return;
    }
    this.send(req, res, page, started);
  }

  /** One `writeHead` with every header in a flat list, the bytes, and the request's duration. */
  private send(req: IncomingMessage, res: ServerResponse, page: PageBytes, started: bigint): void {
    res.writeHead(200, [
      ...this.fixed,
      'X-Request-Id',
      requestIdOf(req),
      'ETag',
      page.etag,
      'Content-Type',
      page.mime,
      'Content-Length',
      String(page.bytes.length),
    ]);
    // The default site's bytes (only its pages come this way), counted once they have gone out.
    endMetered(req, res, page.bytes, this.readvault.meter());
    this.metrics.httpDuration.observe(
      { method: 'GET', route: ROUTE, status: '200' },
      Number(process.hrtime.bigint() - started) / 1e9,
    );
  }
}
