import { type DynamicModule, Module } from '@nestjs/common';
import { CommentQuota } from './comment-quota.js';
import { Role } from '../app/roles.js';
import { ArtworkDiskCache } from './artwork/artwork-disk-cache.js';
import { ArtworkRenditions } from './artwork/artwork-renditions.js';
import { ArtworkController } from './artwork/artwork.controller.js';
import { ArtworkRepository } from './artwork/artwork.repository.js';
import { CommentIndexRepository } from './comment-index.repository.js';
import { CommentRepository } from './comment.repository.js';
import { CommentService } from './comment.service.js';
import { EpisodeCommentRepository } from './episode-comment.repository.js';
import { EpisodeCommentService } from './episode-comment.service.js';
import { FileChangeBus } from './file-change.bus.js';
import { FileCardRepository } from './file-card.repository.js';
import { FileTotalsRepository } from './file-totals.repository.js';
import { FileTotals } from './file-totals.service.js';
import { LibraryService } from './library.service.js';
import { MediaFileRepository } from './media-file.repository.js';
import { ContentKeyRepository } from './content-key.repository.js';
import { PendingDeletionRepository } from './pending-deletion.repository.js';
import { TitleKeyRepository } from './title-key.repository.js';
import { TitleSearchService } from './title-search.service.js';
import { TitleRepository } from './title.repository.js';
import { TitleDependents } from './title-dependents.js';
import { FileScopes } from './file-scopes.js';
import { CatalogQueryService } from './catalog/catalog-query.service.js';
import { CatalogScanReader } from './catalog/catalog-scan.reader.js';
import { CatalogIndexRepository } from './catalog/catalog-index.repository.js';
import { CatalogIndexer } from './catalog/catalog-indexer.js';
import { CatalogRebuilder } from './catalog/catalog-rebuilder.js';
import { TitleImportService } from './bulk/title-import.service.js';
import { TenantCommentsCleanup } from './tenant-comments.cleanup.js';

const SERVICES = [
  TitleRepository,
  TitleKeyRepository,
  MediaFileRepository,
  FileTotalsRepository,
  FileCardRepository,
  FileTotals,
  ContentKeyRepository,
  PendingDeletionRepository,
  CommentRepository,
  CommentIndexRepository,
  LibraryService,
  TitleSearchService,
  CommentService,
  CommentQuota,
  EpisodeCommentRepository,
  EpisodeCommentService,
  CatalogScanReader,
  CatalogIndexRepository,
  CatalogIndexer,
  CatalogRebuilder,
  CatalogQueryService,
  TitleImportService,
  FileChangeBus,
  ArtworkRepository,
  TitleDependents,
  FileScopes,
];

/**
 * The library index. Every role that has it gets the services (workers write, streamers read); only
 * the manager serves the HTTP API.
 */
@Module({})
export class LibraryModule {
  static async forRoles(roles: readonly Role[]): Promise<DynamicModule> {
    const manager = roles.includes(Role.Manager);
    const worker = roles.includes(Role.Worker);
    // Artwork is a byte path (/media): streamers serve it, behind nginx's cache.
    const streamer = roles.includes(Role.Streamer);
    // Enrichment is queued by managers (admin request) and workers (after ingest); workers run it.
    // A streamer has no queues, and does not even load them.
    const queued = manager || worker ? (await import('./library-queued-parts.js')).QUEUED_PARTS : undefined;
    const services = [...SERVICES, ...(queued?.requests ?? [])];
    return {
      module: LibraryModule,
      // Other modules (stream, ingest) call LibraryService; importing a role-built module twice would
      // build it twice, so it is global instead.
      global: true,
      imports: queued ? [queued.QueueModule] : [],
      controllers: [
        ...(manager && queued ? queued.managerControllers : []),
        ...(streamer ? [ArtworkController] : []),
      ],
      providers: [
        ...services,
        ...(manager && queued ? queued.managerProviders : []),
        ...(manager ? [TenantCommentsCleanup] : []),
        ...(worker && queued ? queued.workerProviders : []),
        ...(streamer ? [ArtworkDiskCache, ArtworkRenditions] : []),
      ],
      exports: services,
    };
  }
}
