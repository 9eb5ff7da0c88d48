import { type DynamicModule, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { PassportModule } from '@nestjs/passport';
import { Role } from '../app/roles.js';
import { APP_CONFIG, type AppConfig } from '../core/config/app-config.js';
import { RateLimitGuard } from '../core/rate-limit/rate-limit.guard.js';
import { AccountSessionsController } from './account-sessions.controller.js';
import { AdminBootstrap } from './admin-bootstrap.js';
import { AppPasswordAuth } from './app-passwords/app-password-auth.js';
import { AppPasswordSecrets } from './app-passwords/app-password-secrets.js';
import { AppPasswordRepository } from './app-passwords/app-password.repository.js';
import { AppPasswordService } from './app-passwords/app-password.service.js';
import { AppPasswordsController } from './app-passwords/app-passwords.controller.js';
import { ApiTokenRepository } from './api-token.repository.js';
import { ApiTokenService } from './api-token.service.js';
import { AuthController } from './auth.controller.js';
import { ExpiredCredentialsSweeper } from './expired-credentials.sweeper.js';
import { IdentityGuard } from './guards/identity.guard.js';
import { RolesGuard } from './guards/roles.guard.js';
import { JwtStrategy } from './jwt.strategy.js';
import { MagicLinkController } from './magic-link.controller.js';
import { MagicLinkRepository } from './magic-link.repository.js';
import { MagicLinkService } from './magic-link.service.js';
import { PasswordHasher } from './password-hasher.js';
import { deriveKey } from './secrets.js';
import { JWT_ALGORITHM, JWT_ISSUER, SessionTokenService } from './session-token.service.js';
import { SignInEvents } from './sign-in-events.js';
import { SessionRepository } from './session.repository.js';
import { SessionService } from './session.service.js';
import { UserRepository } from './user.repository.js';
import { UserService } from './user.service.js';
import { UsersController } from './users.controller.js';

/** Verifying who calls: every role with HTTP routes of its own (manager, streamer). */
const VERIFY = [
  UserRepository,
  SessionRepository,
  ApiTokenRepository,
  SessionTokenService,
  SessionService,
  ApiTokenService,
  JwtStrategy,
  AppPasswordRepository,
  {
    provide: AppPasswordSecrets,
    inject: [APP_CONFIG],
    useFactory: (config: AppConfig) => new AppPasswordSecrets(config.secretKey),
  },
  AppPasswordAuth,
];

/** Managing accounts, sessions and links: the manager only. */
const MANAGE = [
  MagicLinkRepository,
  PasswordHasher,
  UserService,
  MagicLinkService,
  AdminBootstrap,
  ExpiredCredentialsSweeper,
  SignInEvents,
  AppPasswordService,
];

/**
 * Identity and access. The guard stack — identity, roles, rate limit — is global, in that order, so
 * every module's routes use the same `@Roles` / `@Identified` / `@RateLimit` decorators.
 */
@Module({})
export class AuthModule {
  static forRoles(roles: readonly Role[]): DynamicModule {
    const manages = roles.includes(Role.Manager);
    return {
      module: AuthModule,
      // The bot and the admin panel (manager) call its services; a role-built module imported twice
      // would be built twice (and its guards registered twice), so, like the library, it is global.
      global: true,
      imports: [
        PassportModule,
        JwtModule.registerAsync({
          inject: [APP_CONFIG],
          useFactory: (config: AppConfig) => ({
            secret: deriveKey(config.secretKey, 'jwt'),
            signOptions: { algorithm: JWT_ALGORITHM, issuer: JWT_ISSUER },
            verifyOptions: { algorithms: [JWT_ALGORITHM], issuer: JWT_ISSUER },
          }),
        }),
      ],
      controllers: manages
        ? [
            AuthController,
            UsersController,
            MagicLinkController,
            AppPasswordsController,
            AccountSessionsController,
          ]
        : [],
      providers: [
        ...VERIFY,
        ...(manages ? MANAGE : []),
        { provide: APP_GUARD, useClass: IdentityGuard },
        { provide: APP_GUARD, useClass: RolesGuard },
        { provide: APP_GUARD, useClass: RateLimitGuard },
      ],
      exports: [...VERIFY, ...(manages ? MANAGE : [])],
    };
  }
}
