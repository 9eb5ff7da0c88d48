import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { type Request, type Response } from 'express';
import { type IdentifiedRequest } from '../core/identity/identity.js';
import { PanelRenderer } from './panel-renderer.js';
import { SignInRequired } from './security/panel-access.guard.js';

/**
 * Errors on panel routes become pages, not JSON: a missing or wrong sign-in redirects to the login
 * page; a refused action (validation, CSRF, not found, conflict) is shown with its status and message.
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
    const { status, message } = describe(exception);
    if (status >= 500) this.logger.error(exception instanceof Error ? exception : String(exception));
    this.renderer.send(req, res, {
      view: 'error',
      title: `Error ${status}`,
      status,
      data: { status, message },
    });
  }
}

function describe(exception: unknown): { status: number; message: string } {
  if (exception instanceof HttpException) {
    const body = exception.getResponse() as string | { message?: unknown };
    const message = typeof body === 'string' ? body : body.message;
    return {
      status: exception.getStatus(),
      message: Array.isArray(message) ? message.join('; ') : String(message ?? exception.message),
    };
  }
  return { status: 500, message: 'Something went wrong on our side.' };
}
