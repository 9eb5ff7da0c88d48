import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../core/config/app-config.js';
import { AppError } from '../core/errors/app-error.js';
import { type Identity } from '../core/identity/identity.js';
import { IngestTaskRepository } from './ingest-task.repository.js';
import { IngestQueue } from './queue/ingest-queue.js';
import { StuckTasks } from './recovery/stuck-tasks.js';
import { type IngestTask } from './schemas/ingest-task.schema.js';
import { countItems, type IngestItem, type ItemCounts } from './items/ingest-item.js';
import { CancelBus } from './cancel/cancel-bus.js';
import { parseSourceUrl, sourceKey } from './source-policy/source-url.js';
import { unreachableMagnetReason } from './source-policy/magnet-reach.js';
import { SourceRefusedError } from './source-policy/source-refused.error.js';
import { Admission } from './admission/admission.js';
import { RedisMutex } from '../core/redis/redis-mutex.js';
import { SsrfGuard } from './source-policy/ssrf-guard.js';
import { StatusRegistry, type TaskStatus } from './status/status-registry.js';
import {
  type TelegramFileSource,
  telegramSourceKey,
  telegramSourceText,
} from './telegram/telegram-file-source.js';

/** The longest name hint a task takes (the API's DTO says the same). */
export const HINT_MAX_CHARS = 300;

export interface SubmitRequest {
  url: string;
  hint?: string;
  requester: Identity;
  chatId?: number;
}

/** A file sent or forwarded to the bot (see TelegramFileSource). */
export interface TelegramFileRequest {
  file: TelegramFileSource;
  hint?: string;
  requester: Identity;
  chatId?: number;
}

/** One file of a task's source, as the API shows it. */
export interface ItemView {
  /** Its path inside the source. */
  name: string;
  kind: IngestItem['kind'];
  size: number;
  state: IngestItem['state'];
  /** failed: what went wrong; skipped / unsupported: why it was not ingested. */
  error: string | null;
  note: string | null;
  language: string | null;
  fileId: string | null;
  titleId: string | null;
  reused: boolean;
}

export interface TaskView {
  taskId: string;
  source: string;
  hint: string | null;
  state: string;
  engine: string | null;
  progress: Pick<TaskStatus, 'bytesDone' | 'bytesTotal' | 'speed' | 'etaSeconds'> | null;
  fileName: string | null;
  error: string | null;
  attempts: number;
  /** Library files the task made or reused (a pack's episodes, in the source's order). */
  fileIds: string[];
  /** The content was already in the library: the existing file was reused, nothing uploaded. */
  reused: boolean;
  /** Done, and its stills and sample are being made (they follow the playable file within seconds). */
  stillsPending: boolean;
  /** Needs a worker, but has no job in the queue and no worker at it (Redis was lost): retry it. */
  stuck: boolean;
  /** The (first) title its files were filed under; `titleIds` lists them all. */
  titleId: string | null;
  titleIds: string[];
  /** The files of the source (one for a plain link; a pack's episodes, subtitles, extras...). */
  items: ItemView[];
  itemCounts: ItemCounts;
  /** While items are worked on: the position of the one in hand ("item 4 of 12"), else null. */
  currentItem: number | null;
  requester: { id: string; name: string };
  createdAt: Date;
  updatedAt: Date;
}

/** The producer side of ingest: validating and recording submissions, queueing them, reporting on them. */
@Injectable()
export class IngestService {
  constructor(
    private readonly queue: IngestQueue,
    private readonly stuck: StuckTasks,
    private readonly tasks: IngestTaskRepository,
    private readonly status: StatusRegistry,
    private readonly guard: SsrfGuard,
    private readonly cancels: CancelBus,
    private readonly admission: Admission,
    private readonly mutex: RedisMutex,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Returns the new task's id, or the id of the active task already fetching the same source. */
  async submit(request: SubmitRequest): Promise<{ taskId: string; existing: boolean }> {
    const source = parseSourceUrl(request.url);
    // Checked now so the user hears at once; the worker checks again (and pins) on every request.
    if (source.kind === 'http') await this.guard.check(source.url);
    // Refused now rather than after the stall timeout, with the setting that would let it through.
    if (source.kind === 'magnet') {
      const unreachable = unreachableMagnetReason(source.uri, this.config.ingest.torrentDirect);
      if (unreachable) throw new SourceRefusedError(unreachable);
    }
    const key = sourceKey(source);
    return this.createOnce(key, request.requester, {
      source: source.kind === 'magnet' ? source.uri : source.url.toString(),
      sourceKind: source.kind,
      hint: request.hint,
      chatId: request.chatId,
    });
  }

  /**
   * A file sent to the bot. Its own source kind, so it can only come from here (never from a URL) and
   * only the Telegram file engine fetches it; the same file sent twice while active is one task.
   */
  async submitTelegramFile(request: TelegramFileRequest): Promise<{ taskId: string; existing: boolean }> {
    return this.createOnce(telegramSourceKey(request.file), request.requester, {
      source: telegramSourceText(request.file),
      sourceKind: 'telegram',
      telegramFile: request.file,
      hint: request.hint,
      chatId: request.chatId,
    });
  }

  /** One lock per source: two simultaneous submissions of the same source must not make two tasks. */
  private async createOnce(
    key: string,
    requester: Identity,
    fields: Pick<IngestTask, 'source' | 'sourceKind' | 'telegramFile' | 'hint' | 'chatId'>,
  ): Promise<{ taskId: string; existing: boolean }> {
    // The API's limit, for every way in (the bot takes the rest of a message as the hint).
    if (fields.hint !== undefined && fields.hint.trim().length > HINT_MAX_CHARS) {
      throw new AppError(400, 'bad_request', `A name hint is at most ${HINT_MAX_CHARS} characters.`);
    }
    return this.mutex.withLock(`ingest-source:${key}`, async () => {
      const active = await this.tasks.findActiveBySource(key);
      if (active) return { taskId: active._id, existing: true };
      await this.admission.admit(requester);
      const task = await this.tasks.insert({
        _id: randomUUID(),
        ...fields,
        sourceKey: key,
        hint: fields.hint?.trim() || undefined,
        requester: { id: requester.id, name: requester.name, role: requester.role },
      });
      await this.queue.enqueue(task._id);
      return { taskId: task._id, existing: false };
    });
  }

  async get(taskId: string): Promise<TaskView> {
    return this.view(await this.require(taskId));
  }

  async list(limit = 50): Promise<TaskView[]> {
    return Promise.all((await this.tasks.list(limit)).map((task) => this.view(task)));
  }

  /**
   * The tasks `by` may cancel or retry (their own; anyone's for an admin) whose id starts with
   * `prefix`: at most two, enough to tell a unique match from an ambiguous one.
   */
  async idsStartingWith(prefix: string, by: Identity): Promise<string[]> {
    return this.tasks.idsStartingWith(prefix.toLowerCase(), by.role === 'admin' ? undefined : by.id, 2);
  }

  /** Stops an active task wherever it runs: queued jobs are dropped, running ones aborted by their worker. */
  async cancel(taskId: string, by: Identity): Promise<TaskView> {
    const task = await this.require(taskId);
    requireRequesterOrAdmin(task, by, 'cancel');
    // Checked and written in one step under the task's lock: a worker may be finishing it right now.
    const already = await this.tasks.cancelIfActive(task._id);
    if (already === null) throw new AppError(404, 'not_found', `No ingest task ${taskId}.`);
    if (already !== undefined) throw new AppError(409, 'conflict', `The task is already ${already}.`);
    await this.status.report(task._id, { state: 'cancelled', bytesDone: 0, speed: 0 }, true);
    await this.queue.remove(task._id); // a running job is locked; its worker stops it
    await this.cancels.publish(task._id);
    return this.get(task._id);
  }

  /**
   * A failed or cancelled task goes back to the queue, resuming after its last finished step; so does
   * a stuck one (active, but its job is gone and no worker is at it — say Redis was lost), and a done
   * one with failed items. Only failed items run again: done ones are kept as they are. Only its
   * requester or an admin may, and a task that becomes active again passes admission as a new
   * submission does (active tasks, quota, disk) and must not double another active task's source.
   */
  async retry(taskId: string, by: Identity): Promise<TaskView> {
    const { sourceKey: key, ...asked } = await this.require(taskId);
    requireRequesterOrAdmin(asked, by, 'retry');
    // The same lock as submissions of this source, so a retry and a new submission cannot both win.
    await this.mutex.withLock(`ingest-source:${key}`, async () => {
      const task = await this.require(taskId);
      const ended = task.state === 'failed' || task.state === 'cancelled';
      const failedItems = (task.items ?? []).flatMap((item, index) =>
        item.state === 'failed' ? [index] : [],
      );
      const partlyDone = task.state === 'done' && failedItems.length > 0;
      if (!ended && !partlyDone && !(await this.stuck.isStuck(task))) {
        throw new AppError(
          409,
          'conflict',
          task.state === 'done'
            ? 'The task is done and none of its items failed; there is nothing to retry.'
            : `The task is ${task.state} and a worker has it (or it is waiting in the queue); retry is for failed, cancelled or stuck tasks.`,
        );
      }
      // Active again (not a stuck task, already counted, nor a done one that only lacks its stills).
      if (ended || partlyDone) {
        // Cancelled while a worker had it, its job lives until that worker has stopped: a new job
        // cannot be queued under the same id, and the old one's last writes would land on the retry.
        if (await this.queue.hasLiveJob(task._id)) {
          throw new AppError(
            409,
            'conflict',
            'The task is still stopping on its worker; retry it in a few seconds.',
          );
        }
        const active = await this.tasks.findActiveBySource(key);
        if (active && active._id !== task._id) {
          throw new AppError(
            409,
            'conflict',
            `Task ${active._id} is already fetching the same source; follow that one instead.`,
          );
        }
        await this.admission.admit(task.requester);
      }
      await this.tasks.markInFlight(task);
      // Before the state: once the task is queued the reconciler may hand it to a worker, which would
      // skip items still marked failed. (`resetItems` writes over a cancel, which `recordItems` refuses.)
      await this.tasks.resetItems(task._id, failedItems);
      // A done task without failed items here only lacks its stills: it stays done while a worker makes them.
      const requeue = task.state !== 'done' || partlyDone;
      await this.tasks.update(task._id, { error: undefined }, requeue ? 'queued' : undefined);
      await this.queue.requeue(task._id);
    });
    return this.get(taskId);
  }

  private async require(taskId: string): Promise<IngestTask> {
    if (!/^[0-9a-f-]{36}$/.test(taskId))
      throw new AppError(400, 'bad_request', `"${taskId.slice(0, 40)}" is not a task id.`);
    const task = await this.tasks.findById(taskId);
    if (!task) throw new AppError(404, 'not_found', `No ingest task ${taskId}.`);
    return task;
  }

  private async view(task: IngestTask): Promise<TaskView> {
    const live = await this.status.read(task._id);
    const items = task.items ?? [];
    // Companions (subtitles) carry their video's file id; the task's files are its main items'.
    const mains = items.filter((item) => item.companionOf === undefined && item.kind !== 'image');
    const titleIds = unique(
      items.flatMap((item) => (item.state === 'done' && item.titleId ? [item.titleId] : [])),
    );
    return {
      taskId: task._id,
      source: task.source,
      hint: task.hint ?? null,
      state: task.state,
      engine: task.engine ?? null,
      progress:
        live && live.state === task.state
          ? {
              bytesDone: live.bytesDone,
              bytesTotal: live.bytesTotal,
              speed: live.speed,
              etaSeconds: live.etaSeconds,
            }
          : null,
      fileName: task.download?.fileName ?? null,
      error: task.error ?? null,
      attempts: task.attempts,
      fileIds: unique(mains.flatMap((item) => (item.state === 'done' && item.fileId ? [item.fileId] : []))),
      reused:
        mains.some((item) => item.state === 'done') &&
        mains.every((item) => item.state !== 'done' || item.reusedFile),
      stillsPending: task.artifactsPending ?? false,
      stuck: await this.stuck.isStuck(task),
      titleId: titleIds[0] ?? null,
      titleIds,
      items: items.map(itemView),
      itemCounts: countItems(items),
      currentItem:
        task.state === 'processing' && items.length > 0
          ? Math.min(
              items.length,
              items.filter((item) => !['pending', 'processing'].includes(item.state)).length + 1,
            )
          : null,
      requester: task.requester,
      createdAt: task.createdAt,
      updatedAt: task.updatedAt,
    };
  }
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}

function itemView(item: IngestItem): ItemView {
  return {
    name: item.name,
    kind: item.kind,
    size: item.size,
    state: item.state,
    error: item.error ?? null,
    note: item.note ?? null,
    language: item.language ?? null,
    fileId: item.fileId ?? null,
    titleId: item.titleId ?? null,
    reused: item.reusedFile ?? false,
  };
}

/** Cancelling or retrying a task is its requester's call, or an admin's. */
function requireRequesterOrAdmin(
  task: Pick<IngestTask, 'requester'>,
  by: Identity,
  action: 'cancel' | 'retry',
): void {
  if (by.role !== 'admin' && task.requester.id !== by.id) {
    throw new AppError(403, 'forbidden', `Only the requester or an admin can ${action} this task.`);
  }
}
