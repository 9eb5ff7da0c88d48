import { type DynamicModule, Module } from '@nestjs/common';
import { Role } from '../app/roles.js';
import { ChapterFileRepository } from './chapters/chapter-file.repository.js';
import { ChapterRepository } from './chapters/chapter.repository.js';
import { MangaTitleCleanup } from './chapters/manga-title-cleanup.js';
import { PageReader } from './pages/page-reader.js';
import { ResizedPageCache } from './pages/resized-page-cache.js';
import { PageFastPath } from './pages/page-fast-path.js';
import { ReadVaultController } from './readvault.controller.js';
import { ReadVaultService } from './readvault.service.js';

/**
 * ReadVault: manga and comics. On workers it adds the `comic` kind to ingest's processor registry;
 * on managers and streamers it serves series, chapters and pages; managers add the OPDS catalog and
 * the site's reader (its page and reading progress).
 * The worker and manager parts are imported only for those roles (see their files).
 */
@Module({})
export class ReadVaultModule {
  static async forRoles(roles: readonly Role[]): Promise<DynamicModule> {
    const reads = roles.includes(Role.Manager) || roles.includes(Role.Streamer);
    const manager = roles.includes(Role.Manager)
      ? (await import('./readvault-manager-parts.js')).MANAGER_PARTS
      : undefined;
    const worker = roles.includes(Role.Worker)
      ? (await import('./readvault-worker-parts.js')).WORKER_PARTS
      : undefined;
    // Where the stream module runs, page bytes are metered per tenant like /stream's.
    const stream = roles.includes(Role.Streamer)
      ? (await import('../stream/stream.module.js')).StreamModule
      : undefined;
    return {
      module: ReadVaultModule,
      imports: stream ? [stream] : [],
      // OPDS feeds and the reader on managers; page bytes on managers and streamers.
      controllers: [...(reads ? [ReadVaultController] : []), ...(manager?.controllers ?? [])],
      providers: [
        ChapterRepository,
        ChapterFileRepository,
        MangaTitleCleanup,
        ...(reads ? [ReadVaultService, PageReader, ResizedPageCache, PageFastPath] : []),
        ...(manager?.providers ?? []),
        ...(worker?.providers ?? []),
      ],
    };
  }
}
