import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AppError } from '../../core/errors/app-error.js';
import { type IdentifiedRequest, type UserRole } from '../../core/identity/identity.js';
import { IDENTIFIED_METADATA, ROLES_METADATA } from '../access.decorators.js';

/** Enforces `@Roles` / `@Identified`: 401 without a usable identity, 403 without the role. */
@Injectable()
export class RolesGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const targets = [context.getHandler(), context.getClass()];
    const roles = this.reflector.getAllAndOverride<UserRole[] | undefined>(ROLES_METADATA, targets);
    const identified = this.reflector.getAllAndOverride<boolean | undefined>(IDENTIFIED_METADATA, targets);
    if (!roles && !identified) return true;
    const req = context.switchToHttp().getRequest<IdentifiedRequest>();
    const identity = req.identity;
    if (!identity) {
      throw new AppError(401, 'unauthorized', req.authFailure ?? 'Sign in (or visit the site once) first.');
    }
    if (roles && identity.kind !== 'user') {
      throw new AppError(
        401,
        'unauthorized',
        `Sign in with an account that has the ${roles.join(' or ')} role.`,
      );
    }
    if (roles && (!identity.role || !roles.includes(identity.role))) {
      throw new AppError(403, 'forbidden', `This needs the ${roles.join(' or ')} role.`);
    }
    return true;
  }
}
