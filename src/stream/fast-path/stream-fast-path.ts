import { type IncomingMessage, type ServerResponse } from 'node:http';
import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { AppError } from '../../core/errors/app-error.js';
import { describeError } from '../../core/errors/all-exceptions.filter.js';
import { prepareErrorAnswer } from '../../core/errors/error-headers.js';
import { FastPaths } from '../../core/http/fast-paths.js';
import { MetricsRegistry } from '../../core/metrics/metrics-registry.js';
import { TenantContext } from '../../core/tenancy/tenant-context.js';
import { TenantResolver } from '../../core/tenancy/tenant-resolver.js';
import { type DeliveryKind, MediaDelivery } from '../media-delivery.js';
import { StreamService } from '../stream.service.js';
import { CROSS_ORIGIN_MEDIA_HEADERS } from '../http/signed-media-cors.js';

/**
 * `/stream/<fileId>/<fileName>`, or a house ad's `/stream/<fileId>/ad/<fileName>`, as the Express routes
 * match them (one segment each, no slash after).
 */
const STREAM_PATH = /^\/stream\/([0-9A-Fa-f]{24})\/(?:(ad)\/)?[^/]+$/;
const ROUTES: Record<DeliveryKind, string> = {
  content: '/stream/:fileId/:fileName',
  ad: '/stream/:fileId/ad/:fileName',
};

/**
 * The streamer's hot path: a signed `GET`/`HEAD /stream/:fileId/:fileName` is answered before Express
 * sees it — signature check, cached record, store read, socket — skipping what a media request does
 * not need (guards, cookie and JWT parsing, interceptors, per-request access logs). The answer is the
 * route's own (`sendMedia`, the same errors as JSON `{error, message}`, the same security headers and
 * `X-Request-Id`); anything else, including session-authorised requests, goes on to Express.
 */
@Injectable()
export class StreamFastPath implements OnModuleInit {
  private readonly logger = new Logger('stream');

  constructor(
    private readonly fastPaths: FastPaths,
    private readonly streams: StreamService,
    private readonly delivery: MediaDelivery,
    private readonly metrics: MetricsRegistry,
    private readonly tenants: TenantResolver,
  ) {}

  onModuleInit(): void {
    this.fastPaths.register((req, res) => this.handle(req, res));
  }

  /** Serves a signed media request and returns true; false leaves the request to Express. */
  handle(req: IncomingMessage, res: ServerResponse): boolean {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    const url = req.url ?? '';
    const queryAt = url.indexOf('?');
    if (queryAt === -1) return false; // no signature: a session's request, judged by the guards
    const path = url.slice(0, queryAt);
    const match = STREAM_PATH.exec(path);
    if (!match) return false;
    const query = new URLSearchParams(url.slice(queryAt + 1));
    if (!query.has('md5') && !query.has('expires') && !query.has('t')) return false;
    void this.serve(req, res, path, match[1], match[2] ? 'ad' : 'content', query);
    return true;
  }

  private async serve(
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    fileId: string,
    kind: DeliveryKind,
    query: URLSearchParams,
  ): Promise<void> {
    const stopTimer = this.metrics.httpDuration.startTimer();
    res.once('finish', () =>
      stopTimer({ method: req.method, route: ROUTES[kind], status: String(res.statusCode) }),
    );
    this.fastPaths.setAnswerHeaders(req, res);
    // Every answer here is to a signed link, which players on other origins may read.
    for (const [name, value] of CROSS_ORIGIN_MEDIA_HEADERS) res.setHeader(name, value);
    try {
      const resolution = await this.tenants.resolve(req);
      if ('refusal' in resolution) throw resolution.refusal;
      await TenantContext.run(resolution.tenant, async () => {
        this.streams.assertSigned(
          decodedPath(path),
          single(query, 'md5'),
          single(query, 'expires'),
          single(query, 't'),
        );
        const file = await this.streams.file(fileId);
        await this.delivery.deliver(req, res, file, kind);
      });
    } catch (error) {
      this.fail(res, error);
    }
  }

  private fail(res: ServerResponse, error: unknown): void {
    const { status, body } = describeError(error);
    if (status >= 500) this.logger.error(error instanceof Error ? error : String(error));
    if (res.headersSent) {
      res.destroy();
      return;
    }
    const json = JSON.stringify(body);
    prepareErrorAnswer(res, status);
    res.statusCode = status;
    res.setHeader('Content-Type', 'application/json; charset=utf-8');
    res.setHeader('Content-Length', Buffer.byteLength(json));
    res.end(json);
  }
}

/** A query parameter given exactly once (Express reads a repeated one as an array: not a signature). */
function single(query: URLSearchParams, name: string): string | undefined {
  const values = query.getAll(name);
  return values.length === 1 ? values[0] : undefined;
}

/** The path as nginx's `$uri` sees it (percent-decoded), which is what links sign. */
function decodedPath(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    throw new AppError(400, 'bad_request', 'The request path is not valid percent-encoding.');
  }
}
