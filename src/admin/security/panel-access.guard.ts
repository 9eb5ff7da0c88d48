import { type CanActivate, type ExecutionContext, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { type Request } from 'express';
import { type Identity, type IdentifiedRequest, type UserRole } from '../../core/identity/identity.js';

const PANEL_ROLES_METADATA = 'streamvault:panel-roles';

/** Panel roles for a controller or route; without it a panel route is admin only. */
export const PanelRoles = (...roles: UserRole[]) => SetMetadata(PANEL_ROLES_METADATA, roles);

/** What the panel guard leaves on a request it let through: the roles its route admits. */
export interface PanelAdmittedRequest extends IdentifiedRequest {
  panelRoles?: readonly UserRole[];
}

/** The panel's one access rule: a signed-in user with one of the route's panel roles. */
export function panelAdmits(identity: Identity | undefined, roles: readonly UserRole[]): boolean {
  return identity?.kind === 'user' && !!identity.role && roles.includes(identity.role);
}

/** Thrown when a panel page needs a sign-in (or a different account); the panel filter redirects. */
export class SignInRequired extends Error {
  constructor(
    readonly returnTo: string,
    readonly reason: 'signed-out' | 'wrong-role',
  ) {
    super(reason === 'signed-out' ? 'Sign in first.' : 'This account cannot open that page.');
  }
}

/**
 * Every panel route is authorised here, on the server: a signed-in user with one of the route's panel
 * roles, else off to the login page. (The global `@Roles` guard answers JSON 401/403 instead, which is
 * right for the API, not for a browser.)
 */
@Injectable()
export class PanelAccessGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const roles = this.reflector.getAllAndOverride<UserRole[] | undefined>(PANEL_ROLES_METADATA, [
      context.getHandler(),
      context.getClass(),
    ]) ?? ['admin'];
    const req = context.switchToHttp().getRequest<Request & PanelAdmittedRequest>();
    const identity = req.identity;
    if (panelAdmits(identity, roles)) {
      req.panelRoles = roles; // a live stream checks them again while it runs
      return true;
    }
    const returnTo = req.method === 'GET' ? req.originalUrl : '/admin';
    throw new SignInRequired(returnTo, identity?.kind === 'user' ? 'wrong-role' : 'signed-out');
  }
}

/** Where to go after signing in: only a path inside the panel (never another site). */
export function safeReturnPath(value: unknown): string {
  return typeof value === 'string' && /^\/admin(?:[/?#]|$)/.test(value) && !value.includes('//')
    ? value
    : '/admin';
}
