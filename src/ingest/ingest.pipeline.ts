import { createWriteStream, existsSync } from 'node:fs';
import { mkdir, rm, stat } from 'node:fs/promises';
import { pipeline as pipeStreams } from 'node:stream/promises';
import { extname, join, sep } from 'node:path';
import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { type Job } from 'bullmq';
import { Types } from 'mongoose';
import { APP_CONFIG, type AppConfig } from '../core/config/app-config.js';
import { JobHandler } from '../core/queue/job-handler.decorator.js';
import { JobName } from '../core/queue/queue-names.js';
import { SettingsService } from '../core/settings/settings.service.js';
import { MEDIA_STORE, type MediaStore } from '../core/storage/media-store.js';
import { TELEGRAM_GATEWAY, type TelegramGateway } from '../core/storage/telegram/telegram-gateway.js';
import { LibraryService } from '../library/library.service.js';
import { EnrichmentRequests } from '../library/metadata/enrichment-requests.js';
import { parseReleaseName } from '../library/release-name/release-name.parser.js';
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
import { sha256File } from './processing/checksum.js';
import { GuardedProxy } from './source-policy/guarded-proxy.js';
import { IngestTaskRepository } from './ingest-task.repository.js';
import { archiveFormat } from './processing/archive-detector.js';
import { MediaProber, mimeOf } from './processing/media-prober.js';
import { MediaProcessor } from './processing/media-processor.js';
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
 * The worker side of ingest: one job per task, moving it through downloading → processing → uploading
 * → indexing → done. Each step records its result on the task before the next begins, so a job that
 * is retried, or picked up by another worker after a crash, resumes after the last finished step.
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
    @Inject(MEDIA_STORE) private readonly store: MediaStore,
    private readonly tasks: IngestTaskRepository,
    private readonly status: StatusRegistry,
    private readonly library: LibraryService,
    private readonly prober: MediaProber,
    private readonly processor: MediaProcessor,
    private readonly cancels: CancelBus,
    private readonly quota: DailyQuota,
    private readonly enrichment: EnrichmentRequests,
    private readonly settings: SettingsService,
    private readonly leases: TaskLeases,
    guard: SsrfGuard,
    @Inject(TELEGRAM_GATEWAY) telegram: TelegramGateway | null,
  ) {
    this.telegramFiles = new TelegramFileEngine(config.bot, telegram);
    this.proxy = new GuardedProxy(guard);
    const proxyUrl = () => (this.proxyUrl ??= this.proxy.start());
    this.engines = [
      new Aria2Engine(proxyUrl),
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
      // A worker stopped between "done" and the stills: make them (from the stored file if need be).
      await this.tasks.incrementAttempts(task._id);
      await this.finishArtifacts(task, sandbox, new AbortController().signal);
      return;
    }
    await this.tasks.incrementAttempts(task._id);
    const controller = await this.cancels.track(task._id);
    const signal = controller.signal;
    try {
      task = await this.download(task, sandbox, job, signal);
      task = await this.step(task, signal, () => this.process(task!, signal));
      task = await this.step(task, signal, () => this.upload(task!));
      await this.step(task, signal, async () => {
        await this.index(task!);
        return task!;
      });
      task = (await this.tasks.findById(task._id)) ?? task; // with the file and title ids index recorded
      const artifactsPending = !task.reusedFile && hasPicture(task);
      await this.finish(task._id, 'done', { artifactsPending });
      this.logger.log(`task ${task._id} done: ${task.download?.fileName}`);
      // The file plays from here on; stills and the sample follow (they are not worth a slower "done").
      if (artifactsPending) await this.finishArtifacts({ ...task, artifactsPending }, sandbox, signal);
      else await rm(sandbox, { recursive: true, force: true });
    } catch (error) {
      const now = await this.tasks.findById(data.taskId);
      if (signal.aborted || error instanceof TaskCancelledError || now?.state === 'cancelled') {
        // A step that read the task just before the cancel may have written over it: cancelled wins.
        if (now && now.state !== 'cancelled') await this.tasks.update(data.taskId, {}, 'cancelled');
        await rm(sandbox, { recursive: true, force: true });
        this.logger.log(`task ${data.taskId} cancelled; sandbox removed`);
        return;
      }
      const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
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
    if (task.storedParts || task.reusedFile || (task.download && existsSync(task.download.path))) return task;
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
          onProgress: this.progressReporter(task, engine.name, job),
        });
        return await this.downloaded(task, result, engine.name);
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
      return await this.downloaded(task, result, engine.name);
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

  private async downloaded(task: IngestTask, result: DownloadResult, engine: string): Promise<IngestTask> {
    await this.tasks.update(task._id, { download: result, engine });
    await this.quota.add(task.requester.id, result.size);
    return { ...task, download: result, engine };
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

  /** faststart (MP4 with its index at the end), probe, then stills and a sample for videos. */
  private async process(task: IngestTask, signal: AbortSignal): Promise<IngestTask> {
    if (task.probe || task.storedParts) return task;
    await this.enter(task, 'processing');
    const path = task.download!.path;
    const archive = await archiveFormat(path);
    if (archive) {
      throw new DownloadFailedError(
        `the link points to a ${archive} archive; archives are not supported yet`,
        false,
      );
    }
    const faststart = await this.processor.faststart(path, signal);
    const [probe, checksum] = await Promise.all([this.prober.probe(path, signal), sha256File(path, signal)]);
    const stored = {
      duration: probe.duration,
      mime: mimeOf(probe.formatName, task.download!.fileName),
      streams: probe.streams,
    };
    const artifacts: NonNullable<IngestTask['artifacts']> = { screenshots: [], faststart };
    const download = { ...task.download!, size: (await stat(path)).size };
    await this.tasks.update(task._id, { probe: stored, artifacts, download, checksum });
    return { ...task, probe: stored, artifacts, download, checksum };
  }

  /**
   * Stores the file, recording each stored part on the task as it lands, so
   * a worker that dies mid-upload is followed by one that stores only what is missing. Content the
   * library already holds (same SHA-256 in the same store) is reused instead of uploaded again.
   */
  private async upload(task: IngestTask): Promise<IngestTask> {
    if (task.reusedFile || task.storedParts) return task;
    await this.enter(task, 'uploading');
    if (task.checksum && !task.storedParts) {
      const same = await this.library.findFileByChecksum(task.checksum, this.store.kind);
      if (same) {
        const reused = {
          reusedFile: true,
          fileId: String(same._id),
          titleId: same.titleId && String(same.titleId),
        };
        await this.tasks.update(task._id, reused);
        this.logger.log(`task ${task._id}: content already stored as file ${reused.fileId}; reusing it`);
        return { ...task, ...reused };
      }
    }
    const name = task.download!.fileName;
    const uploaded = [...(task.uploadedParts ?? [])];
    const parts =
      task.storedParts ??
      (await this.store.put(task.download!.path, name, {
        key: task._id,
        done: uploaded,
        onPart: async (part) => {
          uploaded.push(part);
          await this.tasks.update(task._id, { uploadedParts: uploaded });
        },
      }));
    if (!task.storedParts) await this.tasks.update(task._id, { storedParts: parts });
    return { ...task, storedParts: parts };
  }

  /**
   * Stills at 25/50/75% and a 30 s sample, made after the task is done, stored under keys derived
   * from the task (a repeat replaces rather than duplicates) and attached to the file. Made from the
   * sandbox copy, or — when a crash took the sandbox (another worker, a wiped disk) — from a copy of
   * the stored file. A failure here leaves a playable file without stills, logged; the sandbox goes
   * either way.
   */
  private async finishArtifacts(task: IngestTask, sandbox: string, signal: AbortSignal): Promise<void> {
    const probe = task.probe as { duration?: number; streams: { video: unknown[] } } | undefined;
    try {
      if (!task.fileId || !probe?.duration) {
        this.logger.warn(`task ${task._id}: no file or duration recorded; no stills or sample for it`);
        return;
      }
      const source = await this.artifactSource(task, sandbox, signal);
      const dir = join(sandbox, 'artifacts');
      await mkdir(dir, { recursive: true });
      const shots = await this.processor.screenshots(source, probe.duration, dir, signal);
      const sample = await this.processor.sample(source, probe.duration, dir, signal);
      const name = task.download!.fileName;
      const storedArtifacts: NonNullable<IngestTask['storedArtifacts']> = { screenshots: [] };
      for (const [index, shot] of shots.entries()) {
        const [part] = await this.store.put(shot, `${name}.screenshot-${index + 1}.webp`, {
          key: `${task._id}-screenshot-${index + 1}`,
        });
        storedArtifacts.screenshots.push(part);
      }
      if (sample) {
        [storedArtifacts.sample] = await this.store.put(sample, `${name}.sample${extname(sample)}`, {
          key: `${task._id}-sample`,
        });
      }
      await this.library.setFileArtifacts(new Types.ObjectId(task.fileId), storedArtifacts);
      await this.tasks.update(task._id, { storedArtifacts });
    } catch (error) {
      this.logger.warn(`task ${task._id}: stills and sample failed: ${(error as Error).message}`);
    } finally {
      await rm(sandbox, { recursive: true, force: true });
      await this.tasks.artifactsFinished(task._id);
    }
  }

  /** The processed download if this sandbox still has it, else the stored file copied into the sandbox. */
  private async artifactSource(task: IngestTask, sandbox: string, signal: AbortSignal): Promise<string> {
    const downloaded = task.download?.path;
    if (downloaded?.startsWith(sandbox + sep) && existsSync(downloaded)) return downloaded;
    const parts = task.storedParts;
    if (!parts?.length) throw new Error('the file was never stored');
    const size = parts.reduce((sum, part) => sum + part.size, 0);
    this.logger.log(`task ${task._id}: the download is gone; making stills from the stored file`);
    await mkdir(sandbox, { recursive: true });
    const copy = join(sandbox, `stored${extname(task.download?.fileName ?? '')}`);
    await pipeStreams(this.store.read(parts, 0, size - 1), createWriteStream(copy), { signal });
    return copy;
  }

  private async index(task: IngestTask): Promise<void> {
    await this.enter(task, 'indexing');
    const probe = task.probe as { duration?: number; mime: string; streams: never };
    let fileId = task.fileId;
    if (!fileId) {
      const parts = task.storedParts!;
      const file = await this.library.registerFile({
        storage: { kind: this.store.kind, parts },
        size: parts.reduce((sum, part) => sum + part.size, 0),
        mime: probe.mime,
        fileName: task.download!.fileName,
        duration: probe.duration,
        streams: probe.streams,
        checksum: task.checksum ? { sha256: task.checksum } : undefined,
        screenshots: [],
        episodes: [],
      });
      fileId = String(file._id);
      await this.tasks.update(task._id, { fileId });
    }
    if (!task.titleId) {
      const parsed = parseReleaseName(task.download!.fileName, task.hint);
      const title = await this.library.upsertSkeleton({
        kind: parsed.kind,
        name: parsed.title,
        year: parsed.year,
      });
      await this.library.attachFile(title._id, new Types.ObjectId(fileId), {
        season: parsed.kind === 'movie' ? undefined : parsed.season,
        episodes: parsed.episodes,
      });
      await this.tasks.update(task._id, { titleId: String(title._id) });
      // Skeleton now, catalogue details when a worker gets to it (retried while TMDB/Jikan are down).
      if (title.enrichment?.state !== 'matched') await this.enrichment.request(title._id);
    }
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

/** Only files with a picture get stills and a sample. */
function hasPicture(task: IngestTask): boolean {
  const probe = task.probe as { duration?: number; streams?: { video?: unknown[] } } | undefined;
  return Boolean(probe?.duration && probe.streams?.video?.length);
}
