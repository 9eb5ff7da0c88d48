import {
  type ArgumentsHost,
  Catch,
  type ExceptionFilter,
  HttpException,
  Logger,
  Optional,
} from '@nestjs/common';
import { type Request, type Response } from 'express';
import { errorPageData, wantsErrorPage } from '../views/error-page.js';
import { ViewRenderer } from '../views/view-renderer.js';
import { type ErrorBody, errorCodeFor } from './error-body.js';
import { prepareErrorAnswer } from './error-headers.js';

/**
 * Every error leaves as JSON `{error, message}`. Client mistakes keep their 4xx (including the plain
 * `http-errors` body-parser throws for bad JSON or an oversized body); anything unexpected is logged
 * with its stack and becomes a 500 that reveals nothing. A browser navigating to a page path gets the
 * same status as a page in the site's style instead (404, 410 with a way to a new link, 5xx).
 */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('http');

  constructor(@Optional() private readonly views?: ViewRenderer) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const req = host.switchToHttp().getRequest<Request>();
    const res = host.switchToHttp().getResponse<Response>();
    // A streamed answer whose reader went away (a cancelled download): nothing failed here, and
    // nothing is left to answer.
    if (
      res.destroyed &&
      (exception as NodeJS.ErrnoException | undefined)?.code === 'ERR_STREAM_PREMATURE_CLOSE'
    )
      return;
    const { status, body } = describeError(exception);
    if (status === 500) this.logger.error(exception instanceof Error ? exception : String(exception));
    if (res.headersSent) {
      res.destroy();
      return;
    }
    prepareErrorAnswer(res, status);
    if (this.views && wantsErrorPage(req)) {
      const data = errorPageData(status, body.message, req.path);
      res
        .status(status)
        .type('html')
        .send(this.views.render('site/error', data, 'site'));
      return;
    }
    res.status(status).json(body);
  }
}

/** The status and `{error, message}` body an exception is answered with (500 for the unexpected). */
export function describeError(exception: unknown): { status: number; body: ErrorBody } {
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    return { status, body: bodyFrom(exception.getResponse(), status) };
  }
  const httpError = exception as { status?: unknown; expose?: unknown; message?: unknown };
  if (typeof httpError?.status === 'number' && httpError.status >= 400 && httpError.status < 500) {
    const status = httpError.status;
    return { status, body: { error: errorCodeFor(status), message: String(httpError.message) } };
  }
  if (isDatabaseUnavailable(exception)) {
    return {
      status: 503,
      body: { error: 'service_unavailable', message: 'The database is unreachable; retry shortly.' },
    };
  }
  return { status: 500, body: { error: 'internal_error', message: 'Something went wrong on our side.' } };
}

/** The driver's "cannot reach the server" family, and mongoose's buffering timeout while disconnected. */
function isDatabaseUnavailable(exception: unknown): boolean {
  const error = exception as { name?: unknown; message?: unknown };
  return (
    /^Mongo(ServerSelection|Network|NetworkTimeout|NotConnected|TopologyClosed)Error$/.test(
      String(error?.name),
    ) || /buffering timed out/.test(String(error?.message))
  );
}

function bodyFrom(response: string | object, status: number): ErrorBody {
  if (typeof response === 'string') return { error: errorCodeFor(status), message: response };
  const value = response as { error?: unknown; message?: unknown };
  const message = Array.isArray(value.message) ? value.message.join('; ') : String(value.message ?? '');
  const error =
    typeof value.error === 'string' && /^[a-z0-9_]+$/.test(value.error) ? value.error : errorCodeFor(status);
  return { error, message };
}
