import { AccountCredentials } from './account-credentials.js';
import { AccountNamesMigration } from './names/account-names.migration.js';
import { AccountSessionsController } from './account-sessions.controller.js';
import { AdminBootstrap } from './admin-bootstrap.js';
import { AppPasswordService } from './app-passwords/app-password.service.js';
import { AppPasswordsController } from './app-passwords/app-passwords.controller.js';
import { AuthController } from './auth.controller.js';
import { ExpiredCredentialsSweeper } from './expired-credentials.sweeper.js';
import { MagicLinkController } from './magic-link.controller.js';
import { MagicLinkRepository } from './magic-link.repository.js';
import { MagicLinkService } from './magic-link.service.js';
import { PasswordHasher } from './password-hasher.js';
import { SignInEvents } from './sign-in-events.js';
import { UserService } from './user.service.js';
import { UsersController } from './users.controller.js';

/**
 * Managing accounts, sessions and links, and their HTTP API: the manager only. `AuthModule` imports
 * this file for managers, so a streamer (which only verifies callers) loads none of it.
 */
export const MANAGER_PARTS = {
  controllers: [
    AuthController,
    UsersController,
    MagicLinkController,
    AppPasswordsController,
    AccountSessionsController,
  ],
  providers: [
    MagicLinkRepository,
    PasswordHasher,
    UserService,
    MagicLinkService,
    AdminBootstrap,
    AccountNamesMigration,
    AccountCredentials,
    ExpiredCredentialsSweeper,
    SignInEvents,
    AppPasswordService,
  ],
};
