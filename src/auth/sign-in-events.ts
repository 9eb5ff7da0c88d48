import { Injectable, Logger } from '@nestjs/common';
import { type Identity } from '../core/identity/identity.js';

/** Told who the browser was before (a guest, usually) and which account it signed in to. */
export type SignInListener = (previous: Identity, userId: string) => Promise<void>;

/**
 * Sign-ins for other modules to react to (the site moves a guest's progress to the account) without
 * auth depending on them. A listener that fails is logged; the sign-in itself still succeeds.
 */
@Injectable()
export class SignInEvents {
  private readonly logger = new Logger('auth');
  private readonly listeners: SignInListener[] = [];

  onSignIn(listener: SignInListener): void {
    this.listeners.push(listener);
  }

  async signedIn(previous: Identity | undefined, userId: string): Promise<void> {
    if (!previous || previous.id === userId) return;
    for (const listener of this.listeners) {
      try {
        await listener(previous, userId);
      } catch (error) {
        this.logger.warn(`after sign-in of ${userId}: ${(error as Error).message}`);
      }
    }
  }
}
