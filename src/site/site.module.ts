import { type DynamicModule, type MiddlewareConsumer, Module, type NestModule } from '@nestjs/common';
import { Role } from '../app/roles.js';
import { GuestProgressAdoption } from './progress/guest-progress.adoption.js';
import { GuestProgressSweeper } from './progress/guest-progress.sweeper.js';
import { ProgressController } from './progress/progress.controller.js';
import { ProgressRepository } from './progress/progress.repository.js';
import { ProgressService } from './progress/progress.service.js';
import { TenantProgressCleanup } from './progress/tenant-progress.cleanup.js';
import { SitePagesModule } from './pages/site-pages.module.js';
import { PartyModule } from './party/party.module.js';
import { healthzCors } from './satellite/healthz-cors.middleware.js';
import { SatelliteConfigRepository } from './satellite/satellite-config.repository.js';
import { SatelliteController } from './satellite/satellite.controller.js';
import { SatelliteService } from './satellite/satellite.service.js';
import { StremioModule } from './stremio/stremio.module.js';

/** The viewer API: manager only. */
const API_CONTROLLERS: DynamicModule['controllers'] = [ProgressController, SatelliteController];
const API_PROVIDERS: DynamicModule['providers'] = [
  ProgressRepository,
  ProgressService,
  TenantProgressCleanup,
  GuestProgressAdoption,
  GuestProgressSweeper,
  SatelliteConfigRepository,
  SatelliteService,
];

/**
 * The viewer-facing site: pages (src/site/pages), watch progress, satellite config, artwork and the
 * Stremio add-on (src/site/stremio). Like
 * the library it is built for the process's roles; its HTTP API and pages run on managers.
 */
@Module({})
export class SiteModule implements NestModule {
  static forRoles(roles: readonly Role[]): DynamicModule {
    const manager = roles.includes(Role.Manager);
    return {
      module: SiteModule,
      // The admin panel's Settings page edits the satellite origins; global like Library and Auth,
      // since a role-built module imported twice would be built twice.
      global: true,
      imports: manager ? [SitePagesModule, PartyModule, StremioModule] : [],
      controllers: manager ? API_CONTROLLERS : [],
      providers: manager ? API_PROVIDERS : [],
      exports: manager ? [ProgressService, SatelliteService, SitePagesModule] : [],
    };
  }

  /** Satellite fail-over probes other origins' /healthz from the browser. */
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(healthzCors).forRoutes('healthz');
  }
}
