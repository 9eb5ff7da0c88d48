import { type DynamicModule, type Type } from '@nestjs/common';
import { FeatureModule, type Role } from './roles.js';

/**
 * The Nest module behind each name in the role table, loaded only when a role runs it: a streamer
 * never loads the bot (telegraf), ingest (execa) or the admin panel. Modules with role-dependent sides
 * (HTTP API on the manager only, for instance) are built for the process's roles.
 */
export const FEATURE_MODULES: Readonly<
  Record<FeatureModule, (roles: readonly Role[]) => Promise<Type | DynamicModule>>
> = {
  [FeatureModule.Auth]: async (roles) => (await import('../auth/auth.module.js')).AuthModule.forRoles(roles),
  [FeatureModule.Library]: async (roles) =>
    (await import('../library/library.module.js')).LibraryModule.forRoles(roles),
  [FeatureModule.Ingest]: async (roles) =>
    (await import('../ingest/ingest.module.js')).IngestModule.forRoles(roles),
  [FeatureModule.Stream]: async () => (await import('../stream/stream.module.js')).StreamModule,
  [FeatureModule.Site]: async (roles) => (await import('../site/site.module.js')).SiteModule.forRoles(roles),
  [FeatureModule.Bot]: async () => (await import('../bot/bot.module.js')).BotModule,
  [FeatureModule.Admin]: async () => (await import('../admin/admin.module.js')).AdminModule,
  [FeatureModule.ReadVault]: async (roles) =>
    (await import('../readvault/readvault.module.js')).ReadVaultModule.forRoles(roles),
  [FeatureModule.Music]: async (roles) =>
    (await import('../music/music.module.js')).MusicModule.forRoles(roles),
  [FeatureModule.Franchise]: async () => (await import('../franchise/franchise.module.js')).FranchiseModule,
};
