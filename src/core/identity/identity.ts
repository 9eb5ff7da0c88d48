export type UserRole = 'admin' | 'uploader' | 'viewer' | 'tenant-admin';
export const USER_ROLES: readonly UserRole[] = ['admin', 'uploader', 'viewer', 'tenant-admin'];
/** The roles an account of the operator's site is made with (a tenant's admin comes from POST /api/tenants/:id/admins). */
export const SITE_ACCOUNT_ROLES = ['admin', 'uploader', 'viewer'] as const satisfies readonly UserRole[];

/** Who is making a request: a guest (cookie only) or a user (session or API token). */
export interface Identity {
  kind: 'guest' | 'user';
  /** `guest:<uuid>` or the user's id. */
  id: string;
  name: string;
  role?: UserRole;
  sessionId?: string;
  via: 'cookie' | 'api-token' | 'app-password' | 'telegram';
}

/** What the identity guard leaves on the request. */
export interface IdentifiedRequest {
  identity?: Identity;
  /** Set when credentials were presented but rejected (tampered, expired, revoked...). */
  authFailure?: string;
}
