import { Injectable, type OnModuleInit } from '@nestjs/common';
import { SignInEvents } from '../../auth/sign-in-events.js';
import { ProgressService } from './progress.service.js';

/** A guest who signs in (password or magic link) keeps what it watched: it moves to the account. */
@Injectable()
export class GuestProgressAdoption implements OnModuleInit {
  constructor(
    private readonly signIns: SignInEvents,
    private readonly progress: ProgressService,
  ) {}

  onModuleInit(): void {
    this.signIns.onSignIn(async (previous, userId) => {
      if (previous.kind === 'guest') await this.progress.adoptGuest(previous.id, userId);
    });
  }
}
