import { type DynamicModule, Module } from '@nestjs/common';
import { Role } from '../app/roles.js';
import { QueueModule } from '../core/queue/queue.module.js';
import { ArtworkCollector } from './artwork/artwork-collector.js';
import { ArtworkDiskCache } from './artwork/artwork-disk-cache.js';
import { ArtworkFetcher } from './artwork/artwork-fetcher.js';
import { ArtworkRenditions } from './artwork/artwork-renditions.js';
import { ArtworkRequests } from './artwork/artwork-requests.js';
import { ArtworkController } from './artwork/artwork.controller.js';
import { ArtworkJob } from './artwork/artwork.job.js';
import { ArtworkRepository } from './artwork/artwork.repository.js';
import { EnrichmentRequests } from './metadata/enrichment-requests.js';
import { EnrichmentJob } from './metadata/enrichment.job.js';
import { EnrichmentService } from './metadata/enrichment.service.js';
import { metadataProviders } from './metadata/metadata.providers.js';
import { DeletionDrainer } from './upkeep/deletion-drainer.js';
import { UpkeepSchedule } from './upkeep/upkeep-schedule.js';
import { CommentRepository } from './comment.repository.js';
import { CommentService } from './comment.service.js';
import { CommentsController } from './comments.controller.js';
import { FileChangeBus } from './file-change.bus.js';
import { FilesController } from './files.controller.js';
import { LibraryService } from './library.service.js';
import { MediaFileRepository } from './media-file.repository.js';
import { ContentKeyRepository } from './content-key.repository.js';
import { PendingDeletionRepository } from './pending-deletion.repository.js';
import { TitleKeyRepository } from './title-key.repository.js';
import { TitleSearchService } from './title-search.service.js';
import { TitleRepository } from './title.repository.js';
import { TitlesController } from './titles.controller.js';
import { CatalogQueryService } from './catalog/catalog-query.service.js';
import { CatalogScanReader } from './catalog/catalog-scan.reader.js';
import { CatalogIndexRepository } from './catalog/catalog-index.repository.js';
import { CatalogIndexer } from './catalog/catalog-indexer.js';
import { CatalogRebuilder } from './catalog/catalog-rebuilder.js';

const SERVICES = [
  TitleRepository,
  TitleKeyRepository,
  MediaFileRepository,
  ContentKeyRepository,
  PendingDeletionRepository,
  CommentRepository,
  LibraryService,
  TitleSearchService,
  CommentService,
  CatalogScanReader,
  CatalogIndexRepository,
  CatalogIndexer,
  CatalogRebuilder,
  CatalogQueryService,
  FileChangeBus,
  ArtworkRepository,
];

/**
 * The library index. Every role that has it gets the services (workers write, streamers read); only
 * the manager serves the HTTP API.
 */
@Module({})
export class LibraryModule {
  static forRoles(roles: readonly Role[]): DynamicModule {
    const manager = roles.includes(Role.Manager);
    const worker = roles.includes(Role.Worker);
    // Artwork is a byte path (/media): streamers serve it, behind nginx's cache.
    const streamer = roles.includes(Role.Streamer);
    // Enrichment is queued by managers (admin request) and workers (after ingest); workers run it.
    const queues = manager || worker;
    const services = [...SERVICES, ...(queues ? [EnrichmentRequests, ArtworkRequests] : [])];
    return {
      module: LibraryModule,
      // Other modules (stream, ingest) call LibraryService; importing a role-built module twice would
      // build it twice, so it is global instead.
      global: true,
      imports: queues ? [QueueModule] : [],
      controllers: [
        ...(manager ? [TitlesController, FilesController, CommentsController] : []),
        ...(streamer ? [ArtworkController] : []),
      ],
      providers: [
        ...services,
        ...(manager ? [UpkeepSchedule] : []),
        ...(worker
          ? [
              metadataProviders,
              EnrichmentService,
              EnrichmentJob,
              DeletionDrainer,
              ArtworkFetcher,
              ArtworkCollector,
              ArtworkJob,
            ]
          : []),
        ...(streamer ? [ArtworkDiskCache, ArtworkRenditions] : []),
      ],
      exports: services,
    };
  }
}
