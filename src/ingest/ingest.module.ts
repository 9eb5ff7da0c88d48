import { type DynamicModule, Module } from '@nestjs/common';
import { Role } from '../app/roles.js';
import { APP_CONFIG, type AppConfig } from '../core/config/app-config.js';
import { QueueModule } from '../core/queue/queue.module.js';
import { CancelBus } from './cancel/cancel-bus.js';
import { IngestTaskRepository } from './ingest-task.repository.js';
import { IngestController } from './ingest.controller.js';
import { IngestPipeline } from './ingest.pipeline.js';
import { IngestService } from './ingest.service.js';
import { MediaProber } from './processing/media-prober.js';
import { ItemExpander } from './items/item-expander.js';
import { MediaClassifier } from './items/media-classifier.js';
import { ContentStore } from './processing/content-store.js';
import { VideoTools } from './processing/video-tools.js';
import { ImageProcessor } from './processors/image.processor.js';
import { MEDIA_KIND_PROCESSORS, type MediaKindProcessor } from './processors/media-kind-processor.js';
import { MediaProcessorRegistry } from './processors/media-processor.registry.js';
import { SubtitleProcessor } from './processors/subtitle.processor.js';
import { VideoProcessor } from './processors/video.processor.js';
import { SandboxSweeper } from './sandbox-sweeper.js';
import { YtDlpBootCheck } from './engines/ytdlp-boot-check.js';
import { SsrfGuard } from './source-policy/ssrf-guard.js';
import { StatusRegistry } from './status/status-registry.js';
import { Admission } from './admission/admission.js';
import { IngestQueue } from './queue/ingest-queue.js';
import { StuckTasks } from './recovery/stuck-tasks.js';
import { TaskLeases } from './recovery/task-leases.js';
import { TaskReconciler } from './recovery/task-reconciler.js';
import { DailyQuota } from './admission/daily-quota.js';
import { StillsMaker } from './stills/stills-maker.js';
import { StillsRequests } from './stills/stills-requests.js';
import { StillsJob } from './stills/stills.job.js';

/** The processors ingest ships; ReadVault (comic) and music (audio) register theirs with the registry. */
const PROCESSORS = [VideoProcessor, SubtitleProcessor, ImageProcessor];

const SHARED = [
  IngestTaskRepository,
  IngestQueue,
  CancelBus,
  StatusRegistry,
  DailyQuota,
  {
    provide: SsrfGuard,
    inject: [APP_CONFIG],
    useFactory: (config: AppConfig) => new SsrfGuard(config.ingest.allowHosts),
  },
];

/** Ingest: the manager takes submissions (API, later bot and panel); workers run the pipeline. */
@Module({})
export class IngestModule {
  static forRoles(roles: readonly Role[]): DynamicModule {
    const manager = roles.includes(Role.Manager);
    const worker = roles.includes(Role.Worker);
    return {
      module: IngestModule,
      // The bot and the admin panel call IngestService; a role-built module imported twice would be
      // built twice, so, like the library, it is global.
      global: true,
      imports: [QueueModule],
      controllers: manager ? [IngestController] : [],
      providers: [
        ...SHARED,
        ...(manager ? [IngestService, Admission, StuckTasks, TaskReconciler, StillsRequests] : []),
        ...(worker
          ? [
              IngestPipeline,
              MediaProber,
              VideoTools,
              ContentStore,
              MediaClassifier,
              ItemExpander,
              SandboxSweeper,
              TaskLeases,
              YtDlpBootCheck,
              StillsMaker,
              StillsJob,
              ...PROCESSORS,
              {
                provide: MEDIA_KIND_PROCESSORS,
                inject: PROCESSORS,
                useFactory: (...processors: MediaKindProcessor[]) => processors,
              },
              MediaProcessorRegistry,
            ]
          : []),
      ],
      // Other modules add their media kinds (comic, audio) to the registry on worker roles, and store
      // their content once through the same ContentStore.
      exports: [
        // The admin explorer queues new stills of a stored file; workers make them.
        ...(manager ? [IngestService, StillsRequests] : []),
        ...(worker ? [MediaProcessorRegistry, ContentStore] : []),
      ],
    };
  }
}
