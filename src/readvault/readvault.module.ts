import { type DynamicModule, Module } from '@nestjs/common';
import { Role } from '../app/roles.js';
import { ChapterAdminService } from './chapters/chapter-admin.service.js';
import { ChapterRepository } from './chapters/chapter.repository.js';
import { ComicKindRegistration } from './comic/comic-kind-registration.js';
import { ComicProcessor } from './comic/comic.processor.js';
import { OpdsBasicAuthGuard } from './opds/opds-basic-auth.guard.js';
import { OpdsController } from './opds/opds.controller.js';
import { OpdsService } from './opds/opds.service.js';
import { PageFastPath } from './pages/page-fast-path.js';
import { PageReader } from './pages/page-reader.js';
import { ResizedPageCache } from './pages/resized-page-cache.js';
import { ReaderPageController } from './reader/reader-page.controller.js';
import { ReaderPageService } from './reader/reader-page.service.js';
import { ReadingProgressController } from './reading/reading-progress.controller.js';
import { ReadingService } from './reading/reading.service.js';
import { ReadVaultController } from './readvault.controller.js';
import { ReadVaultService } from './readvault.service.js';

/**
 * ReadVault: manga and comics. On workers it adds the `comic` kind to ingest's processor registry;
 * on managers and streamers it serves series, chapters and pages; managers add the OPDS catalog and
 * the site's reader (its page and reading progress, through the site module's progress store).
 */
@Module({})
export class ReadVaultModule {
  static forRoles(roles: readonly Role[]): DynamicModule {
    const reads = roles.includes(Role.Manager) || roles.includes(Role.Streamer);
    const manager = roles.includes(Role.Manager);
    const worker = roles.includes(Role.Worker);
    return {
      module: ReadVaultModule,
      // OPDS feeds, the reader page and reading progress on managers (the site's); page bytes on
      // managers and streamers.
      controllers: [
        ...(reads ? [ReadVaultController] : []),
        ...(manager ? [OpdsController, ReaderPageController, ReadingProgressController] : []),
      ],
      providers: [
        ChapterRepository,
        ...(reads ? [ReadVaultService, PageReader, ResizedPageCache, PageFastPath] : []),
        ...(manager
          ? [OpdsService, OpdsBasicAuthGuard, ReaderPageService, ReadingService, ChapterAdminService]
          : []),
        ...(worker ? [ComicProcessor, ComicKindRegistration] : []),
      ],
    };
  }
}
