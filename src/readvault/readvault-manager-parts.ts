import { ChapterAdminService } from './chapters/chapter-admin.service.js';
import { ChapterLinksBackfill } from './chapters/chapter-links.backfill.js';
import { OpdsBasicAuthGuard } from './opds/opds-basic-auth.guard.js';
import { OpdsController } from './opds/opds.controller.js';
import { OpdsService } from './opds/opds.service.js';
import { ReaderPageController } from './reader/reader-page.controller.js';
import { ReaderPageService } from './reader/reader-page.service.js';
import { ReadingProgressController } from './reading/reading-progress.controller.js';
import { ReadingService } from './reading/reading.service.js';

/**
 * ReadVault's manager side: the OPDS catalog (it searches the library), the site's reader page and
 * reading progress (through the site module's progress store) and the panel's chapter tools. Loaded
 * by `ReadVaultModule` on managers only, with the one-time backfill of the series' chapter lists.
 */
export const MANAGER_PARTS = {
  controllers: [OpdsController, ReaderPageController, ReadingProgressController],
  providers: [
    OpdsService,
    OpdsBasicAuthGuard,
    ReaderPageService,
    ReadingService,
    ChapterAdminService,
    ChapterLinksBackfill,
  ],
};
