import { mkdtemp, rm, stat } from 'node:fs/promises';
import { createReadStream, createWriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import {
  type MediaStore,
  StorageUnavailableError,
  type PutOptions,
  type StoredPart,
  StoredObjectMissingError,
} from '../media-store.js';
import { type PlannedBlock, planBlocks } from './block-planner.js';
import { ClientPool, type PoolLease } from './client-pool.js';
import { LocationCache } from './location-cache.js';
import { PrefetchReader } from './prefetch-reader.js';
import {
  FileMigrateError,
  type FileLocation,
  FileReferenceExpiredError,
  FloodWaitError,
  formatMessageRef,
  MessageMissingError,
  parseMessageRef,
  TELEGRAM_GATEWAY,
  type TelegramGateway,
} from './telegram-gateway.js';
import { TelegramMetrics } from './telegram-metrics.js';

/** A block is retried at most this many times (flood waits and reference refreshes together). */
const MAX_ATTEMPTS = 6;

/**
 * A part's location as one stream knows it, shared by the stream's blocks: the window of blocks in
 * flight waits on one lookup, and one expired reference is refreshed once, not once per block.
 */
interface KnownLocation {
  /** The session that looked it up (a FLOOD_WAIT from the lookup parks that one). */
  sessionId: string;
  location: Promise<FileLocation>;
}

/**
 * Media in a Telegram channel: each part is a document message. Reads plan aligned 1 MiB blocks, keep a
 * sliding window of them in flight on one leased session, move to another session on FLOOD_WAIT and
 * refresh the file reference once when it expires.
 */
@Injectable()
export class TelegramMediaStore implements MediaStore {
  readonly kind = 'telegram' as const;
  private readonly logger = new Logger('telegram');
  readonly pool: ClientPool;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(TELEGRAM_GATEWAY) private readonly gateway: TelegramGateway,
    private readonly locations: LocationCache,
    private readonly metrics: TelegramMetrics,
  ) {
    this.pool = new ClientPool(gateway.sessionIds, config.stream.maxPerSession);
  }

  read(parts: readonly StoredPart[], start: number, endInclusive: number): Readable {
    const blocks = planBlocks(
      parts.map((part) => part.size),
      start,
      endInclusive,
    );
    const controller = new AbortController();
    // Locations this stream already knows: a block needs no cache round trip once its part is known.
    const known = new Map<string, KnownLocation>();
    const leasing = this.pool.lease(controller.signal).then((lease) => {
      this.reportLoad();
      return lease;
    });
    leasing.catch(() => {});
    // The lease is released exactly once, when the reader settles (end, error or client abort),
    // whether the lease was granted before or after that moment.
    return new PrefetchReader(
      blocks,
      async (block, signal) => this.fetchBlock(await leasing, parts[block.part], block, signal, known),
      this.config.stream.prefetchBlocks,
      () => {
        controller.abort();
        leasing.then(
          (lease) => {
            lease.release();
            this.reportLoad();
          },
          () => {},
        );
      },
    );
  }

  /**
   * Uploads part by part, reporting each as soon as Telegram holds it. A part whose upload is cut off
   * leaves nothing in the channel (the message is only sent once every chunk arrived), so resuming
   * after `done` neither loses nor duplicates a part.
   */
  async put(path: string, name: string, options: PutOptions = {}): Promise<StoredPart[]> {
    const size = (await stat(path)).size;
    const partSize = this.config.telegram.partSize;
    const parts = this.resumableParts(options.done ?? [], size, name);
    if (parts.length === 0) await this.dropEarlierAttempt(options.done ?? [], name, options.referenced);
    if (size <= partSize && parts.length === 0) {
      parts.push(await this.upload(path, name, size));
      await options.onPart?.(parts[0], 0);
      return parts;
    }
    // Resume where the stored parts end: they may have been cut with another TELEGRAM_PART_SIZE.
    const resumeAt = parts.reduce((sum, part) => sum + part.size, 0);
    if (resumeAt === size) return parts;
    const dir = await mkdtemp(join(tmpdir(), 'sv-tg-parts-'));
    try {
      for (let offset = resumeAt, index = parts.length + 1; offset < size; offset += partSize, index++) {
        const end = Math.min(size, offset + partSize);
        const partPath = join(dir, `${name}.part${String(index).padStart(3, '0')}`);
        await pipeline(createReadStream(path, { start: offset, end: end - 1 }), createWriteStream(partPath));
        const part = await this.upload(partPath, `${name}.part${index}`, end - offset);
        parts.push(part);
        await options.onPart?.(part, index - 1);
        await rm(partPath, { force: true });
      }
      return parts;
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  /** The parts of an interrupted put to keep, or none (start over) when they cannot be a prefix of the file. */
  private resumableParts(done: readonly StoredPart[], size: number, name: string): StoredPart[] {
    const stored = done.reduce((sum, part) => sum + part.size, 0);
    if (done.every((part) => Number.isSafeInteger(part.size) && part.size > 0) && stored <= size)
      return [...done];
    this.logger.warn(
      `upload of ${name}: the ${done.length} parts stored before do not fit the file; starting over`,
    );
    return [];
  }

  /**
   * Starting over, the earlier attempt's messages would stay in the channel for good (nothing else
   * knows them once the task records the new parts): deleted, best effort, except any a stored file
   * points at. Without a way to ask, none is deleted.
   */
  private async dropEarlierAttempt(
    done: readonly StoredPart[],
    name: string,
    referenced: PutOptions['referenced'],
  ): Promise<void> {
    if (done.length === 0) return;
    if (!referenced) {
      this.logger.warn(`upload of ${name}: keeping the ${done.length} earlier parts (no reference check)`);
      return;
    }
    let kept: ReadonlySet<string>;
    try {
      kept = await referenced(done.map((part) => part.ref));
    } catch (error) {
      this.logger.warn(`upload of ${name}: keeping the earlier parts: ${(error as Error).message}`);
      return;
    }
    for (const part of done) {
      if (kept.has(part.ref)) continue;
      await this.delete(part.ref).catch((error: unknown) => {
        this.logger.warn(
          `upload of ${name}: could not delete the earlier part ${part.ref}: ${(error as Error).message}`,
        );
      });
    }
  }

  async exists(part: StoredPart): Promise<boolean> {
    try {
      await this.location(this.anySession(), part.ref, true);
      return true;
    } catch (error) {
      if (error instanceof StoredObjectMissingError) return false;
      throw this.storageError(error, part.ref);
    }
  }

  async delete(ref: string): Promise<void> {
    const message = parseMessageRef(ref);
    if (!message) return;
    await this.gateway.deleteMessage(this.anySession(), message);
    await this.locations.forget(ref);
  }

  private async fetchBlock(
    lease: PoolLease,
    part: StoredPart,
    block: PlannedBlock,
    signal: AbortSignal,
    known: Map<string, KnownLocation>,
  ): Promise<Buffer> {
    let refreshed = false;
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      signal.throwIfAborted();
      let entry = known.get(part.ref);
      if (!entry) {
        entry = this.lookUp(lease.sessionId, part.ref, false);
        known.set(part.ref, entry);
      }
      let sessionId = entry.sessionId;
      let location: FileLocation | undefined;
      try {
        location = await entry.location;
        signal.throwIfAborted();
        sessionId = lease.sessionId;
        const stopTimer = this.metrics.blockSeconds.startTimer();
        const bytes = await this.gateway.getFileBlock(sessionId, location, block.offset, block.limit);
        stopTimer();
        return bytes;
      } catch (error) {
        // Whatever failed, only the location this stream still knows is replaced: a block answered
        // for an older one retries with what another block already found.
        const current = known.get(part.ref) === entry;
        if (error instanceof FloodWaitError) {
          // A refused lookup is asked again on the session the stream moves to.
          if (!location && current) known.delete(part.ref);
          this.metrics.floodWaits.inc();
          this.logger.warn(`session ${sessionId}: FLOOD_WAIT_${error.seconds}; moving the stream`);
          await lease.failOver(sessionId, error.seconds);
          this.reportLoad();
        } else if (error instanceof FileReferenceExpiredError && !refreshed) {
          refreshed = true;
          if (current) known.set(part.ref, this.lookUp(lease.sessionId, part.ref, true));
        } else if (error instanceof FileMigrateError && location) {
          const moved = { ...location, dcId: error.dcId };
          if (current) known.set(part.ref, { sessionId, location: Promise.resolve(moved) });
          await this.locations.set(part.ref, moved);
        } else {
          throw this.storageError(error, part.ref);
        }
      }
    }
    throw new StorageUnavailableError(`block at ${block.offset} of ${part.ref}: too many retries`);
  }

  /** Starts a lookup (`fresh`: skipping the cache, for a new file reference) the stream's blocks share. */
  private lookUp(sessionId: string, ref: string, fresh: boolean): KnownLocation {
    const location = this.location(sessionId, ref, fresh);
    // Every block awaiting it handles a failure; this only keeps an unawaited rejection quiet.
    location.catch(() => {});
    return { sessionId, location };
  }

  private async location(sessionId: string, ref: string, fresh: boolean): Promise<FileLocation> {
    if (!fresh) {
      const cached = await this.locations.get(ref);
      if (cached) return cached;
    }
    const message = parseMessageRef(ref);
    if (!message) throw new StoredObjectMissingError(`"${ref}" is not a Telegram storage ref`);
    try {
      const location = await this.gateway.getLocation(sessionId, message);
      await this.locations.set(ref, location);
      return location;
    } catch (error) {
      // The caller fails over to another session.
      if (error instanceof FloodWaitError) throw error;
      throw this.storageError(error, ref);
    }
  }

  /**
   * On FLOOD_WAIT the session is parked and the upload goes at once to one that is not; it waits only
   * when every session is waiting out a flood limit, and then only until the first is free.
   */
  private async upload(path: string, name: string, size: number): Promise<StoredPart> {
    for (let attempt = 0; ; attempt++) {
      const sessionId = this.anySession();
      const parkedMs = this.pool.parkedMs(sessionId);
      if (parkedMs > 0) {
        this.logger.warn(
          `upload of ${name}: every session is waiting out a flood limit; waiting ${parkedMs} ms`,
        );
        await new Promise((resolve) => setTimeout(resolve, parkedMs));
      }
      try {
        const { message } = await this.gateway.uploadFile(sessionId, path, name);
        return { ref: formatMessageRef(message), size };
      } catch (error) {
        if (!(error instanceof FloodWaitError) || attempt >= 3) throw this.storageError(error, name);
        this.metrics.floodWaits.inc();
        this.pool.park(sessionId, error.seconds);
        this.logger.warn(
          `upload of ${name}: FLOOD_WAIT_${error.seconds} on ${sessionId}; trying another session`,
        );
      }
    }
  }

  private anySession(): string {
    return this.pool.leastBusy();
  }

  private reportLoad(): void {
    for (const [session, load] of Object.entries(this.pool.loads()))
      this.metrics.poolLoad.set({ session }, load);
  }

  private storageError(error: unknown, ref: string): Error {
    if (error instanceof StoredObjectMissingError || error instanceof StorageUnavailableError) return error;
    if (error instanceof MessageMissingError) return new StoredObjectMissingError(`${ref}: ${error.message}`);
    if ((error as Error)?.name === 'AbortError') return error as Error;
    return new StorageUnavailableError(`${ref}: ${(error as Error)?.message ?? String(error)}`);
  }
}
