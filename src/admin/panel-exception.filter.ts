import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { type Request, type Response } from 'express';
import { type IdentifiedRequest } from '../core/identity/identity.js';
import { PanelRenderer } from './panel-renderer.js';
import { SignInRequired } from './security/panel-access.guard.js';

/**
 * Errors on panel routes become pages, not JSON: a missing or wrong sign-in redirects to the login
 * page; a refused action (validation, CSRF, not found, conflict) is shown with its status and message,
 * or answered as `{error, message}` to a client that asks for JSON only.
 */
@Catch()
export class PanelExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('admin');

  constructor(private readonly renderer: PanelRenderer) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const req = host.switchToHttp().getRequest<Request & IdentifiedRequest>();
    const res = host.switchToHttp().getResponse<Response>();
    if (res.headersSent) {
      res.destroy();
      return;
    }
    if (exception instanceof SignInRequired) {
      const query = new URLSearchParams({ next: exception.returnTo });
      if (exception.reason === 'wrong-role') query.set('reason', 'role');
      res.redirect(303, `/admin/login?${query}`);
      return;
    }
    const { status, error, message } = describe(exception);
    if (status >= 500) this.logger.error(exception instanceof Error ? exception : String(exception));
    // A page's script (or an API client) polling a panel endpoint reads the error, not a page.
    if (req.accepts(['html', 'json']) === 'json') {
      res.status(status).json({ error, message });
      return;
    }
    this.renderer.send(req, res, {
      view: 'error',
      title: `Error ${status}`,
      status,
      data: { status, message },
    });
  }
}

function describe(exception: unknown): { status: number; error: string; message: string } {
  if (exception instanceof HttpException) {
    const body = exception.getResponse() as string | { error?: unknown; message?: unknown };
    const message = typeof body === 'string' ? body : body.message;
    const error = typeof body === 'object' && typeof body.error === 'string' ? body.error : 'error';
    return {
      status: exception.getStatus(),
      error,
      message: Array.isArray(message) ? message.join('; ') : String(message ?? exception.message),
    };
  }
  return { status: 500, error: 'internal', message: 'Something went wrong on our side.' };
}
