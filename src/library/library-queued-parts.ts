import { QueueModule } from '../core/queue/queue.module.js';
import { ArtworkCollector } from './artwork/artwork-collector.js';
import { ArtworkFetcher } from './artwork/artwork-fetcher.js';
import { ArtworkRequests } from './artwork/artwork-requests.js';
import { ArtworkSweeper } from './artwork/artwork-sweeper.js';
import { ArtworkJob } from './artwork/artwork.job.js';
import { CatalogRebuildJob, CatalogRebuildRequests } from './catalog/catalog-rebuild.job.js';
import { CommentsController } from './comments.controller.js';
import { EpisodeCommentsController } from './episode-comments.controller.js';
import { FilesController } from './files.controller.js';
import { EnrichmentRequests } from './metadata/enrichment-requests.js';
import { EnrichmentJob } from './metadata/enrichment.job.js';
import { EnrichmentService } from './metadata/enrichment.service.js';
import { metadataProviders } from './metadata/metadata.providers.js';
import { TitlesController } from './titles.controller.js';
import { DeletionDrainer } from './upkeep/deletion-drainer.js';
import { UpkeepSchedule } from './upkeep/upkeep-schedule.js';

/**
 * The library's parts that use the job queues (BullMQ): the manager's API and schedules, the worker's
 * enrichment, artwork collection and deletion drain. `LibraryModule` loads this file only for those
 * roles, so a streamer never loads BullMQ.
 */
export const QUEUED_PARTS = {
  QueueModule,
  requests: [EnrichmentRequests, ArtworkRequests, CatalogRebuildRequests],
  managerControllers: [TitlesController, FilesController, CommentsController, EpisodeCommentsController],
  managerProviders: [UpkeepSchedule],
  workerProviders: [
    metadataProviders,
    EnrichmentService,
    EnrichmentJob,
    DeletionDrainer,
    ArtworkFetcher,
    ArtworkCollector,
    ArtworkJob,
    ArtworkSweeper,
    CatalogRebuildJob,
  ],
};
