import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { type Request, type Response } from 'express';
import { AppPasswordAuth } from '../../auth/app-passwords/app-password-auth.js';
import { AppError } from '../../core/errors/app-error.js';
import { type IdentifiedRequest } from '../../core/identity/identity.js';

export const OPDS_REALM = 'StreamVault OPDS';

/**
 * OPDS apps sign in with HTTP Basic: the account's username and one of its app passwords (never the
 * account password). A missing or wrong pair gets 401 with `WWW-Authenticate`, so the app asks.
 */
@Injectable()
export class OpdsBasicAuthGuard implements CanActivate {
  constructor(private readonly appPasswords: AppPasswordAuth) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const http = context.switchToHttp();
    const req = http.getRequest<Request & IdentifiedRequest>();
    const res = http.getResponse<Response>();
    const match = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(req.headers.authorization ?? '');
    const decoded = match ? Buffer.from(match[1], 'base64').toString('utf8') : '';
    const colon = decoded.indexOf(':');
    const identity = colon > 0 ? await this.appPasswords.verify(decoded.slice(colon + 1)) : undefined;
    if (!identity || identity.name.toLowerCase() !== decoded.slice(0, colon).toLowerCase()) {
      res.setHeader('WWW-Authenticate', `Basic realm="${OPDS_REALM}", charset="UTF-8"`);
      throw new AppError(401, 'unauthorized', 'Sign in with your username and an app password.');
    }
    req.identity = identity;
    return true;
  }
}
