import { createParamDecorator, type ExecutionContext, SetMetadata } from '@nestjs/common';
import { type Identity, type IdentifiedRequest, type UserRole } from '../core/identity/identity.js';

export const ROLES_METADATA = 'streamvault:roles';
export const IDENTIFIED_METADATA = 'streamvault:identified';

/** Only signed-in users holding one of `roles` (401 without identity, 403 with the wrong one). */
export const Roles = (...roles: UserRole[]) => SetMetadata(ROLES_METADATA, roles);

/** Anyone with an identity from an earlier visit: a guest cookie, a session or an API token. */
export const Identified = () => SetMetadata(IDENTIFIED_METADATA, true);

/** The request's identity (guarded routes only, where it is always present). */
export const CurrentIdentity = createParamDecorator((_: unknown, context: ExecutionContext): Identity => {
  const identity = context.switchToHttp().getRequest<IdentifiedRequest>().identity;
  if (!identity) throw new Error('CurrentIdentity used on a route without @Identified or @Roles');
  return identity;
});
