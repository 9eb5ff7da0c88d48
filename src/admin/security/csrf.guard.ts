import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { type Request } from 'express';
import { AppError } from '../../core/errors/app-error.js';
import { CsrfTokens } from './csrf-tokens.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Refuses (403) every state-changing panel request without a valid CSRF token. */
@Injectable()
export class CsrfGuard implements CanActivate {
  constructor(private readonly tokens: CsrfTokens) {}

  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<Request>();
    if (SAFE_METHODS.has(req.method) || this.tokens.isValid(req)) return true;
    throw new AppError(
      403,
      'csrf_rejected',
      'This form is out of date or did not come from this site; reload the page and try again.',
    );
  }
}
