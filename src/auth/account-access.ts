import { AppError } from '../core/errors/app-error.js';
import { type Identity } from '../core/identity/identity.js';

/**
 * The account's own settings (app passwords, sessions) are for a person signed in to it, not for a
 * guest, nor for a client holding only an app password (which could otherwise mint more of them).
 */
export function requireAccount(identity: Identity): Identity & { kind: 'user' } {
  if (identity.kind !== 'user') throw new AppError(401, 'unauthorized', 'Sign in to your account first.');
  if (identity.via === 'app-password') {
    throw new AppError(403, 'forbidden', 'An app password cannot manage the account; sign in instead.');
  }
  return identity as Identity & { kind: 'user' };
}
