import { type DynamicModule, Module } from '@nestjs/common';
import { Role } from '../app/roles.js';
import { SitePagesModule } from './pages/site-pages.module.js';

/** The viewer API: manager only. */
const API_CONTROLLERS: DynamicModule['controllers'] = [];
const API_PROVIDERS: DynamicModule['providers'] = [];

/**
 * The viewer-facing site: pages (src/site/pages), watch progress, satellite config and artwork. Like
 * the library it is built for the process's roles; its HTTP API and pages run on managers.
 */
@Module({})
export class SiteModule {
  static forRoles(roles: readonly Role[]): DynamicModule {
    const manager = roles.includes(Role.Manager);
    return {
      module: SiteModule,
      imports: manager ? [SitePagesModule] : [],
      controllers: manager ? API_CONTROLLERS : [],
      providers: manager ? API_PROVIDERS : [],
    };
  }
}
