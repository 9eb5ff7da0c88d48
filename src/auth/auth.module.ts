import { type DynamicModule, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { PassportModule } from '@nestjs/passport';
import { Role } from '../app/roles.js';
import { APP_CONFIG, type AppConfig } from '../core/config/app-config.js';
import { RateLimitGuard } from '../core/rate-limit/rate-limit.guard.js';
import { AppPasswordAuth } from './app-passwords/app-password-auth.js';
import { AppPasswordEpochs } from './app-passwords/app-password-epochs.js';
import { AppPasswordSecrets } from './app-passwords/app-password-secrets.js';
import { AppPasswordRepository } from './app-passwords/app-password.repository.js';
import { ApiTokenRepository } from './api-token.repository.js';
import { ApiTokenService } from './api-token.service.js';
import { IdentityGuard, IdentityRecheck } from './guards/identity.guard.js';
import { RolesGuard } from './guards/roles.guard.js';
import { JwtStrategy } from './jwt.strategy.js';
import { deriveKey } from './secrets.js';
import { JWT_ALGORITHM, JWT_ISSUER, SessionTokenService } from './session-token.service.js';
import { SessionRepository } from './session.repository.js';
import { SessionService } from './session.service.js';
import { UserRepository } from './user.repository.js';
import { AccountNameRepository } from './names/account-name.repository.js';

/** Verifying who calls: every role with HTTP routes of its own (manager, streamer). */
const VERIFY = [
  AccountNameRepository,
  UserRepository,
  SessionRepository,
  ApiTokenRepository,
  SessionTokenService,
  SessionService,
  ApiTokenService,
  JwtStrategy,
  AppPasswordRepository,
  AppPasswordEpochs,
  {
    provide: AppPasswordSecrets,
    inject: [APP_CONFIG],
    useFactory: (config: AppConfig) => new AppPasswordSecrets(config.secretKey),
  },
  AppPasswordAuth,
  IdentityRecheck,
];

/**
 * Identity and access. The guard stack — identity, roles, rate limit — is global, in that order, so
 * every module's routes use the same `@Roles` / `@Identified` / `@RateLimit` decorators.
 */
@Module({})
export class AuthModule {
  static async forRoles(roles: readonly Role[]): Promise<DynamicModule> {
    // Accounts, sign-in and their API (DTOs, validators, OpenAPI decorators): the manager only.
    const manages = roles.includes(Role.Manager)
      ? (await import('./auth-manager-parts.js')).MANAGER_PARTS
      : undefined;
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
      controllers: manages?.controllers ?? [],
      providers: [
        ...VERIFY,
        ...(manages?.providers ?? []),
        { provide: APP_GUARD, useClass: IdentityGuard },
        { provide: APP_GUARD, useClass: RolesGuard },
        { provide: APP_GUARD, useClass: RateLimitGuard },
      ],
      exports: [...VERIFY, ...(manages?.providers ?? [])],
    };
  }
}
