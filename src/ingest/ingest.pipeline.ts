import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { type Job } from 'bullmq';
import pLimit from 'p-limit';
import { APP_CONFIG, type AppConfig } from '../core/config/app-config.js';
import { AppError } from '../core/errors/app-error.js';
import { JobHandler } from '../core/queue/job-handler.decorator.js';
import { JobName } from '../core/queue/queue-names.js';
import { SettingsService } from '../core/settings/settings.service.js';
import { StorageUnavailableError } from '../core/storage/media-store.js';
import { TELEGRAM_GATEWAY, type TelegramGateway } from '../core/storage/telegram/telegram-gateway.js';
import { CancelBus, TaskCancelledError } from './cancel/cancel-bus.js';
import { DirectHttpEngine } from './engines/direct-http.engine.js';
import {
  type DownloadEngine,
  DownloadFailedError,
  type DownloadResult,
  NotMediaError,
  TooLargeError,
} from './engines/download-engine.js';
import { YtDlpEngine } from './engines/ytdlp.engine.js';
import { TelegramFileEngine } from './engines/telegram-file.engine.js';
import { Aria2Engine } from './engines/aria2/aria2.engine.js';
import { DailyQuota } from './admission/daily-quota.js';
import {
  diskCeiling,
  explainTooLarge,
  fileSizeCeiling,
  quotaCeiling,
  type SizeCeiling,
  tightest,
} from './admission/download-allowance.js';
import { freeDiskBytes } from './admission/free-disk.js';
import { GuardedProxy } from './source-policy/guarded-proxy.js';
import { IngestTaskRepository } from './ingest-task.repository.js';
import { countItems, type IngestItem } from './items/ingest-item.js';
import { ItemExpander } from './items/item-expander.js';
import { ItemFailedError, type ItemContext } from './processors/media-kind-processor.js';
import { MediaProcessorRegistry } from './processors/media-processor.registry.js';
import { SpeedMeter } from './progress/speed-meter.js';
import { type IngestTask, type TaskState } from './schemas/ingest-task.schema.js';
import { SourceRefusedError } from './source-policy/source-refused.error.js';
import { parseSourceUrl } from './source-policy/source-url.js';
import { SsrfGuard } from './source-policy/ssrf-guard.js';
import { StatusRegistry } from './status/status-registry.js';
import { type IngestJobData } from './queue/ingest-queue.js';
import { TaskLeases } from './recovery/task-leases.js';
import { downloadsRoot } from './sandbox-sweeper.js';

const TERMINAL: readonly TaskState[] = ['done', 'failed', 'cancelled'];
const DOWNLOAD_TIMEOUT_MS = 6 * 3600 * 1000;

/**
 * The worker side of ingest: one job per task, moving it through downloading → processing → indexing
 * → done. The download (one file, a torrent's folder, an archive's entries) becomes the task's items;
 * each is classified and handed to the processor of its kind (see MediaProcessorRegistry), a few at a
 * time, then the processors file their items into the library in one batch. One failed item does not
 * fail the others. Each step records its result on the task (and each item on itself) before the next
 * begins, so a job that is retried, or picked up by another worker after a crash, resumes after them.
 */
@Injectable()
export class IngestPipeline implements OnModuleDestroy {
  private readonly logger = new Logger('ingest');
  /** In order of preference; a page that is not media falls through to the next that accepts it. */
  private readonly engines: DownloadEngine[];
  /** Only for tasks of `sourceKind: 'telegram'`; kept apart from `engines`, which take URLs. */
  private readonly telegramFiles: TelegramFileEngine;
  private readonly proxy: GuardedProxy;
  private proxyUrl?: Promise<string>;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly tasks: IngestTaskRepository,
    private readonly status: StatusRegistry,
    private readonly expander: ItemExpander,
    private readonly processors: MediaProcessorRegistry,
    private readonly cancels: CancelBus,
    private readonly quota: DailyQuota,
    private readonly settings: SettingsService,
    private readonly leases: TaskLeases,
    guard: SsrfGuard,
    @Inject(TELEGRAM_GATEWAY) telegram: TelegramGateway | null,
  ) {
    this.telegramFiles = new TelegramFileEngine(config.bot, telegram);
    this.proxy = new GuardedProxy(guard);
    const proxyUrl = () => (this.proxyUrl ??= this.proxy.start());
    this.engines = [
      new Aria2Engine(proxyUrl, { direct: config.ingest.torrentDirect }),
      new DirectHttpEngine(guard),
      new YtDlpEngine(proxyUrl, config.ingest.ytdlpPath),
    ];
  }

  @JobHandler(JobName.Ingest)
  async run(data: IngestJobData, job: Job): Promise<void> {
    const task = await this.tasks.findById(data.taskId);
    if (!task) return;
    if (TERMINAL.includes(task.state) && !(task.state === 'done' && task.artifactsPending)) return;
    // While this runs, managers can see someone is at the task even if the queue (Redis) is lost.
    const lease = await this.leases.hold(task._id);
    try {
      await this.runTask(task, data, job);
    } finally {
      lease.release();
    }
  }

  private async runTask(start: IngestTask, data: IngestJobData, job: Job): Promise<void> {
    let task: IngestTask = start;
    const sandbox = join(downloadsRoot(this.config), task._id);
    if (task.state === 'done' && task.artifactsPending) {
      // A worker stopped between "done" and the stills: make them (from the stored files if need be).
      await this.tasks.incrementAttempts(task._id);
      await this.finishArtifacts(task, sandbox, new AbortController().signal);
      return;
    }
    await this.tasks.incrementAttempts(task._id);
    const controller = await this.cancels.track(task._id);
    const signal = controller.signal;
    const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    try {
      task = await this.download(task, sandbox, job, signal);
      task = await this.step(task, signal, () => this.expand(task, sandbox, signal));
      task = await this.step(task, signal, () => this.processItems(task, sandbox, signal, lastAttempt));
      task = await this.step(task, signal, () => this.fileItems(task, sandbox, signal, lastAttempt));
      await this.conclude(task, sandbox, signal);
    } catch (error) {
      const now = await this.tasks.findById(data.taskId);
      if (signal.aborted || error instanceof TaskCancelledError || now?.state === 'cancelled') {
        // A step that read the task just before the cancel may have written over it: cancelled wins.
        if (now && now.state !== 'cancelled') await this.tasks.update(data.taskId, {}, 'cancelled');
        await rm(sandbox, { recursive: true, force: true });
        this.logger.log(`task ${data.taskId} cancelled; sandbox removed`);
        return;
      }
      // A refused source (say, its name now resolves to a private address) will not change on retry.
      const retryable =
        !(error instanceof SourceRefusedError) && !(error instanceof DownloadFailedError && !error.retryable);
      const message = (error as Error).message;
      this.logger.warn(`task ${data.taskId} attempt ${job.attemptsMade + 1} failed: ${message}`);
      if (lastAttempt || !retryable) {
        const cancelled = await this.finish(data.taskId, 'failed', { error: message }).then(
          () => false,
          (finishError: unknown) => finishError instanceof TaskCancelledError,
        );
        await rm(sandbox, { recursive: true, force: true });
        if (!retryable || cancelled) return; // recorded (or cancelled meanwhile); retrying cannot help
      }
      throw error;
    } finally {
      this.cancels.untrack(data.taskId);
    }
  }

  /** Runs a step unless the task was cancelled meanwhile (the cancel may land between steps). */
  private async step(
    task: IngestTask,
    signal: AbortSignal,
    work: () => Promise<IngestTask>,
  ): Promise<IngestTask> {
    signal.throwIfAborted();
    if ((await this.tasks.findById(task._id))?.state === 'cancelled') throw new TaskCancelledError(task._id);
    return work();
  }

  private async download(
    task: IngestTask,
    sandbox: string,
    job: Job,
    signal: AbortSignal,
  ): Promise<IngestTask> {
    if (!this.needsDownload(task, sandbox)) return task;
    if (task.sourceKind === 'telegram') return this.downloadTelegramFile(task, sandbox, job, signal);
    const source = parseSourceUrl(task.source);
    const candidates = this.engines.filter((engine) => engine.accepts(source));
    for (const [index, engine] of candidates.entries()) {
      await this.enter(task, 'downloading', engine.name);
      const ceiling = await this.sizeCeiling(task, sandbox);
      try {
        const result = await engine.download({
          source,
          dir: sandbox,
          signal: AbortSignal.any([signal, AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS)]),
          maxBytes: ceiling.bytes,
          maxItems: this.config.ingest.maxItems,
          onProgress: this.progressReporter(task, engine.name, job),
        });
        return await this.downloaded(task, result, engine.name, sandbox, signal);
      } catch (error) {
        if (error instanceof TooLargeError) throw explainTooLarge(error, ceiling);
        if (!(error instanceof NotMediaError) || index === candidates.length - 1) throw error;
        this.logger.log(`task ${task._id}: ${error.message}; trying ${candidates[index + 1].name}`);
        await rm(sandbox, { recursive: true, force: true });
      }
    }
    throw new DownloadFailedError('no download engine accepts this link', false);
  }

  /** A file sent to the bot, fetched back from Telegram (Bot API, or MTProto past its limit). */
  private async downloadTelegramFile(
    task: IngestTask,
    sandbox: string,
    job: Job,
    signal: AbortSignal,
  ): Promise<IngestTask> {
    const engine = this.telegramFiles;
    if (!task.telegramFile) throw new DownloadFailedError('the task lost its Telegram file', false);
    await this.enter(task, 'downloading', engine.name);
    const ceiling = await this.sizeCeiling(task, sandbox);
    try {
      const result = await engine.download({
        file: task.telegramFile,
        dir: sandbox,
        signal: AbortSignal.any([signal, AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS)]),
        maxBytes: ceiling.bytes,
        onProgress: this.progressReporter(task, engine.name, job),
      });
      return await this.downloaded(task, result, engine.name, sandbox, signal);
    } catch (error) {
      throw error instanceof TooLargeError ? explainTooLarge(error, ceiling) : error;
    }
  }

  /** Live progress for the status registry (≤1/s there) and the job. */
  private progressReporter(task: IngestTask, engine: string, job: Job) {
    const meter = new SpeedMeter(Date.now());
    return ({ bytesDone, bytesTotal }: { bytesDone: number; bytesTotal?: number }) => {
      const speed = meter.update(bytesDone, Date.now());
      const etaSeconds = meter.etaSeconds(bytesDone, bytesTotal);
      void this.status.report(task._id, {
        state: 'downloading',
        engine,
        bytesDone,
        bytesTotal,
        speed,
        etaSeconds,
      });
      // Best effort: the job may be gone with a lost Redis while the task (in MongoDB) goes on.
      job.updateProgress({ bytesDone, bytesTotal }).catch(() => undefined);
    };
  }

  /**
   * Whether the source must be fetched: never fetched, or the files of items still to process are
   * gone (another worker took over, or a retry after the sandbox was removed). The download is fetched
   * whole again then; items already stored are not touched.
   */
  private needsDownload(task: IngestTask, sandbox: string): boolean {
    if (!task.items) return !(task.download && existsSync(task.download.path));
    return task.items.some(
      (item) =>
        (item.state === 'pending' || item.state === 'processing') &&
        item.path &&
        !existsSync(join(sandbox, item.path)),
    );
  }

  /** Records the download; an archive holding a pack is unpacked (again, on a repeat download). */
  private async downloaded(
    task: IngestTask,
    result: DownloadResult,
    engine: string,
    sandbox: string,
    signal: AbortSignal,
  ): Promise<IngestTask> {
    // Once per task: a source fetched again (its sandbox gone, on a retry or another worker) was
    // charged the first time.
    if (!task.download) await this.quota.add(task.requester.id, result.size);
    const { maxFileBytes, minFreeDiskBytes } = await this.settings.get();
    const room = tightest([
      fileSizeCeiling(maxFileBytes),
      diskCeiling(await freeDiskBytes(sandbox), minFreeDiskBytes),
    ]);
    const { format, refused } = await this.expander.unpack(result, sandbox, room.bytes, signal);
    // Entries refused while unpacking (unsafe names) become skipped items when the items are made;
    // recorded with the download, as a worker that restarts before then resumes from the record.
    const download = { ...result, unpacked: format, refused: refused.length > 0 ? refused : undefined };
    await this.tasks.update(task._id, { download, engine });
    return { ...task, download, engine };
  }

  /** The tightest of: the file size limit, the requester's quota left today, this worker's spare disk. */
  private async sizeCeiling(task: IngestTask, sandbox: string): Promise<SizeCeiling> {
    const { maxFileBytes, minFreeDiskBytes } = await this.settings.get();
    const free = await freeDiskBytes(sandbox);
    const disk = diskCeiling(free, minFreeDiskBytes);
    if (disk.bytes <= 0) {
      // Retryable: downloads finishing here, or another worker, may have room shortly.
      throw new DownloadFailedError(`not enough free disk to start: ${disk.reason}`);
    }
    const ceilings = [fileSizeCeiling(maxFileBytes), disk];
    const left = await this.quota.remaining(task.requester);
    if (left !== undefined) ceilings.push(quotaCeiling(left));
    return tightest(ceilings);
  }

  async onModuleDestroy(): Promise<void> {
    await this.proxy.stop();
  }

  /** The source's files become the task's items (once; a retry keeps them and their results). */
  private async expand(task: IngestTask, sandbox: string, signal: AbortSignal): Promise<IngestTask> {
    await this.enter(task, 'processing');
    if (task.items) return task;
    const items = await this.expander.expand(task, sandbox, signal, task.download?.refused ?? []);
    this.markUnsupported(items);
    if (!(await this.tasks.recordItems(task._id, new Map(), { items })))
      throw new TaskCancelledError(task._id);
    const kinds = new Map<string, number>();
    for (const item of items) kinds.set(item.kind, (kinds.get(item.kind) ?? 0) + 1);
    this.logger.log(
      `task ${task._id}: ${items.length} item(s): ${[...kinds].map(([kind, n]) => `${n} ${kind}`).join(', ')}`,
    );
    return { ...task, items };
  }

  /** Items of a kind no processor handles are reported, not dropped; a processor added since takes them. */
  private markUnsupported(items: IngestItem[]): void {
    for (const item of items) {
      const handled = Boolean(this.processors.forKind(item.kind));
      if (!handled && item.state === 'pending') {
        item.state = 'unsupported';
        item.error = `${item.kind} is not supported yet`;
      } else if (handled && item.state === 'unsupported') {
        item.state = 'pending';
        item.error = undefined;
      }
    }
  }

  /** Main items (videos...) through their processors, then companions (subtitles, pictures), a few at a time. */
  private async processItems(
    task: IngestTask,
    sandbox: string,
    signal: AbortSignal,
    lastAttempt: boolean,
  ): Promise<IngestTask> {
    const items = [...task.items!];
    const revived = items.filter((item) => item.state === 'unsupported').length;
    this.markUnsupported(items);
    if (revived !== items.filter((item) => item.state === 'unsupported').length) {
      await this.tasks.recordItems(task._id, new Map(), { items });
    }
    const current = { ...task, items };
    const limit = pLimit(this.config.ingest.itemConcurrency);
    for (const stage of ['main', 'companion'] as const) {
      const todo = items
        .map((item, index) => ({ item, index }))
        .filter(
          ({ item }) =>
            (item.state === 'pending' || item.state === 'processing') &&
            this.processors.forKind(item.kind)?.stage === stage,
        );
      const runs = await Promise.allSettled(
        todo.map(({ index }) => limit(() => this.processItem(current, index, sandbox, signal, lastAttempt))),
      );
      const fatal = runs.find((run): run is PromiseRejectedResult => run.status === 'rejected');
      if (fatal) throw fatal.reason;
    }
    return current;
  }

  private async processItem(
    task: IngestTask,
    index: number,
    sandbox: string,
    signal: AbortSignal,
    lastAttempt: boolean,
  ): Promise<void> {
    const items = task.items!;
    const processor = this.processors.forKind(items[index].kind)!;
    // "processing" and the run count go with the item's first recorded result (one write, not two).
    const start =
      items[index].state === 'pending'
        ? { state: 'processing' as const, attempts: (items[index].attempts ?? 0) + 1 }
        : undefined;
    const context = this.context(task, index, sandbox, signal, { start });
    try {
      await processor.process(context);
    } catch (error) {
      if (signal.aborted || error instanceof TaskCancelledError) throw error;
      // A store or lock that is briefly unavailable: the job is retried, and resumes this item.
      if (isTransient(error) && !lastAttempt) throw error;
      const reason = (error as Error).message;
      this.logger.warn(`task ${task._id}: item ${items[index].name} failed: ${reason}`);
      await context.record({ state: 'failed', error: reason.slice(0, 500) });
    }
    await this.reportItems(task);
  }

  /** Each processor files its stored items of the task into the library, in one batch. */
  private async fileItems(
    task: IngestTask,
    sandbox: string,
    signal: AbortSignal,
    lastAttempt: boolean,
  ): Promise<IngestTask> {
    const items = task.items!;
    if (!items.some((item) => item.state === 'stored')) return task;
    await this.enter(task, 'indexing');
    for (const processor of this.processors.all()) {
      if (!processor.file) continue;
      // What filing records is written for the whole batch at once, after it (filing is idempotent).
      const buffer = new Map<number, Partial<IngestItem>>();
      const batch = items
        .map((item, index) => ({ item, index }))
        .filter(({ item }) => item.kind === processor.kind && item.state === 'stored')
        .map(({ index }) => this.context(task, index, sandbox, signal, { buffer }));
      if (batch.length === 0) continue;
      try {
        await processor.file(batch);
        if (!(await this.tasks.recordItems(task._id, buffer))) throw new TaskCancelledError(task._id);
      } catch (error) {
        if (signal.aborted || error instanceof TaskCancelledError) throw error;
        if (isTransient(error) && !lastAttempt) throw error;
        const reason = `stored, but could not be filed in the library: ${(error as Error).message}`;
        this.logger.warn(`task ${task._id}: ${reason}`);
        // Nothing of the batch was written: all of it failed (a retry files it again).
        const failed = { state: 'failed' as const, error: reason, titleId: undefined };
        await this.tasks.recordItems(task._id, new Map(batch.map((c) => [c.index, failed])));
        for (const { index } of batch) {
          const { titleId: _dropped, ...rest } = items[index];
          items[index] = { ...rest, state: 'failed', error: reason };
        }
      }
    }
    return task;
  }

  /** Done when at least one item made it (failed ones can be retried), failed when none did. */
  private async conclude(task: IngestTask, sandbox: string, signal: AbortSignal): Promise<void> {
    const items = task.items!;
    const counts = countItems(items);
    const artifactsPending = items.some((item) => item.artifactsPending);
    if (counts.done === 0) {
      await this.finish(task._id, 'failed', { error: nothingIngested(items) });
      await rm(sandbox, { recursive: true, force: true });
      this.logger.warn(`task ${task._id} failed: ${nothingIngested(items)}`);
      return;
    }
    await this.finish(task._id, 'done', { artifactsPending, error: undefined });
    this.logger.log(
      `task ${task._id} done: ${task.download?.fileName} (${counts.done} done, ${counts.failed} failed, ${counts.skipped + counts.unsupported} not ingested)`,
    );
    // The files play from here on; stills and samples follow (they are not worth a slower "done").
    if (artifactsPending) await this.finishArtifacts({ ...task, artifactsPending }, sandbox, signal);
    else await rm(sandbox, { recursive: true, force: true });
  }

  /**
   * Stills and samples of the task's new videos, after "done": from the sandbox, or from the stored
   * files when a crash took it. A failure leaves a playable file without stills, logged; the sandbox
   * goes either way.
   */
  private async finishArtifacts(task: IngestTask, sandbox: string, signal: AbortSignal): Promise<void> {
    const items = [...(task.items ?? [])];
    const current = { ...task, items };
    try {
      for (const [index, item] of items.entries()) {
        if (!item.artifactsPending) continue;
        const processor = this.processors.forKind(item.kind);
        try {
          await processor?.finish?.(this.context(current, index, sandbox, signal));
        } catch (error) {
          if (error instanceof TaskCancelledError) throw error;
          this.logger.warn(
            `task ${task._id}: stills and sample of ${item.name} failed: ${(error as Error).message}`,
          );
        }
        if (items[index].artifactsPending)
          await this.tasks.recordItems(task._id, new Map([[index, { artifactsPending: undefined }]]));
      }
    } finally {
      await rm(sandbox, { recursive: true, force: true });
      await this.tasks.artifactsFinished(task._id);
    }
  }

  /**
   * What a processor sees of one item; `record` writes it (merged with `start` the first time, or
   * into `buffer` for the caller to write) and keeps the in-memory copy current.
   */
  private context(
    task: IngestTask,
    index: number,
    sandbox: string,
    signal: AbortSignal,
    options: { start?: Partial<IngestItem>; buffer?: Map<number, Partial<IngestItem>> } = {},
  ): ItemContext {
    const items = task.items!;
    let start = options.start;
    return {
      task,
      index,
      get item() {
        return items[index];
      },
      path: join(sandbox, items[index].path),
      signal,
      items: () => items,
      record: async (given) => {
        const patch = { ...start, ...given };
        start = undefined;
        if (options.buffer) options.buffer.set(index, { ...options.buffer.get(index), ...patch });
        else if (!(await this.tasks.recordItems(task._id, new Map([[index, patch]])))) {
          throw new TaskCancelledError(task._id);
        }
        const next: Record<string, unknown> = { ...items[index], ...patch };
        for (const [key, value] of Object.entries(patch)) if (value === undefined) delete next[key];
        items[index] = next as unknown as IngestItem;
        return items[index];
      },
    };
  }

  /** Live progress while items are worked on: bytes of the items finished so far. */
  private async reportItems(task: IngestTask): Promise<void> {
    const items = task.items!;
    const finished = items.filter((item) => !['pending', 'processing'].includes(item.state));
    await this.status.report(task._id, {
      state: task.state,
      engine: task.engine,
      bytesDone: finished.reduce((sum, item) => sum + item.size, 0),
      bytesTotal: items.reduce((sum, item) => sum + item.size, 0),
      speed: 0,
    });
  }

  private async enter(task: IngestTask, state: TaskState, engine?: string): Promise<void> {
    if (task.state !== state && !(await this.tasks.advance(task._id, engine ? { engine } : {}, state))) {
      throw new TaskCancelledError(task._id);
    }
    task.state = state;
    await this.status.report(
      task._id,
      { state, engine: engine ?? task.engine, bytesDone: 0, speed: 0 },
      true,
    );
  }

  private async finish(taskId: string, state: TaskState, set: Partial<IngestTask> = {}): Promise<void> {
    if (!(await this.tasks.advance(taskId, set, state))) throw new TaskCancelledError(taskId);
    await this.status.report(taskId, { state, bytesDone: 0, speed: 0 }, true);
  }
}

/** Errors worth retrying the job for (the item resumes): storage or a lock briefly unavailable. */
function isTransient(error: unknown): boolean {
  if (error instanceof ItemFailedError) return false;
  if (error instanceof StorageUnavailableError) return true;
  if (error instanceof DownloadFailedError) return error.retryable;
  return error instanceof AppError && error.getStatus() === 503;
}

/** Why a task ended with nothing in the library, in one line. */
function nothingIngested(items: readonly IngestItem[]): string {
  if (items.length === 0) return 'the source holds no files';
  if (items.length === 1) return items[0].error ?? `${items[0].name} was not ingested`;
  const counts = countItems(items);
  const parts = [
    counts.failed && `${counts.failed} failed`,
    counts.skipped && `${counts.skipped} skipped`,
    counts.unsupported && `${counts.unsupported} not supported yet`,
  ].filter(Boolean);
  const media = items.filter((item) => item.kind !== 'other');
  const first = items.find((item) => item.state === 'failed') ?? media[0] ?? items[0];
  const what =
    media.length === 0
      ? 'the source holds no media files'
      : `none of its ${items.length} files could be ingested`;
  return `${what} (${parts.join(', ')}); ${first.name}: ${first.error ?? first.state}`;
}
