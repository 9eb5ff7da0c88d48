import { type DynamicModule, type Type } from '@nestjs/common';
import { AdminModule } from '../admin/admin.module.js';
import { AuthModule } from '../auth/auth.module.js';
import { BotModule } from '../bot/bot.module.js';
import { FranchiseModule } from '../franchise/franchise.module.js';
import { IngestModule } from '../ingest/ingest.module.js';
import { LibraryModule } from '../library/library.module.js';
import { MusicModule } from '../music/music.module.js';
import { ReadVaultModule } from '../readvault/readvault.module.js';
import { SiteModule } from '../site/site.module.js';
import { StreamModule } from '../stream/stream.module.js';
import { FeatureModule, type Role } from './roles.js';

/**
 * The Nest module behind each name in the role table. Modules with role-dependent sides (HTTP API on
 * the manager only, for instance) are built for the process's roles.
 */
export const FEATURE_MODULES: Readonly<
  Record<FeatureModule, (roles: readonly Role[]) => Type | DynamicModule>
> = {
  [FeatureModule.Auth]: (roles) => AuthModule.forRoles(roles),
  [FeatureModule.Library]: (roles) => LibraryModule.forRoles(roles),
  [FeatureModule.Ingest]: (roles) => IngestModule.forRoles(roles),
  [FeatureModule.Stream]: () => StreamModule,
  [FeatureModule.Site]: (roles) => SiteModule.forRoles(roles),
  [FeatureModule.Bot]: () => BotModule,
  [FeatureModule.Admin]: () => AdminModule,
  [FeatureModule.ReadVault]: (roles) => ReadVaultModule.forRoles(roles),
  [FeatureModule.Music]: () => MusicModule,
  [FeatureModule.Franchise]: () => FranchiseModule,
};
