import { read, readSync } from 'node:fs';
import { Readable } from 'node:stream';
import { attempt } from './attempt.js';
import { localChunks } from './chunk-pool.js';
import { type InlineFileOps, localInline } from './inline-file-ops.js';
import { StorageUnavailableError, StoredObjectMissingError } from './media-store.js';
import { type FileOpTurn, localFiles, type OpenFiles } from './open-files.js';
import { localReads, type ReadQueue } from './read-queue.js';

/** One local file's slice: `from..to` inclusive, of the file at `path` (named `ref` in errors). */
export interface LocalSlice {
  path: string;
  ref: string;
  from: number;
  to: number;
}

/**
 * The read size a stream starts with and falls back to: what a paced viewer holds in memory. 32 KiB,
 * not 64: 200 viewers hold 6 MB instead of 13 (and the pool churns half as much), while anything
 * that keeps up doubles past it within a few reads.
 */
export const MIN_CHUNK_BYTES = 32 * 1024;
/** The read size a consumer that keeps up grows to: few syscalls per byte for downloads and seeks. */
export const MAX_CHUNK_BYTES = 1024 * 1024;
/**
 * What the chunks of all local streams together may hold: each stream's chunk is capped at its share
 * (a power of two between MIN and MAX). A chunk stays in memory until the kernel has taken all of it,
 * and a viewer's socket looks fast until its kernel buffers fill, so without a shared cap 200 paced
 * viewers each sat on ~1 MiB (200 MB). One download still reads 1 MiB at a time, 64 at once 128 KiB
 * each: on the bench that cost no throughput (a socket takes 128 KiB in one write, while most of a
 * 1 MiB chunk waits queued in the process).
 */
export const CHUNK_BUDGET_BYTES = 8 * 1024 * 1024;
/**
 * The budget of short ranges (at most MAX_CHUNK_BYTES in all: a player's or a download tool's bounded
 * `Range`): such a stream holds at most its own length, so it starts at its share of this larger
 * budget instead of growing from 32 KiB. A 1 MiB range is one or two reads instead of seven to nine
 * trips through libuv's pool, each a thread wake-up (on a 2-CPU VM the 1 MiB-range rate went from
 * ~0.4x to ~0.7x nginx's). Open-ended ranges — every paced viewer — keep CHUNK_BUDGET_BYTES.
 */
export const SHORT_RANGE_BUDGET_BYTES = 32 * 1024 * 1024;
/** Where a reader's opens and reads go: the local store's shared ones, or a test's own. */
export interface LocalIo {
  files: OpenFiles;
  reads: ReadQueue;
  inline: InlineFileOps;
}

const LOCAL_IO: LocalIo = { files: localFiles, reads: localReads, inline: localInline };

/** A chunk taken within this long of being handed over means the consumer keeps up. */
const FAST_MS = 4;
const SLOW_MS = 40;

/**
 * Reads file slices in order, one read per chunk, only when the consumer asks: nothing is read ahead
 * (`highWaterMark` 0), so a stream holds at most the chunk its socket is writing. The chunk size
 * adapts: it doubles while the consumer takes each chunk at once (a download, a fast player) and
 * halves while it does not (a viewer watching at the video's bitrate), between 32 KiB and the
 * stream's share of CHUNK_BUDGET_BYTES. Buffers come from a pool (`localChunks`), opens and reads go
 * through `localReads` (a stream's first ones ahead of other streams' reads, or on the loop at once
 * while `localInline` finds the disk fast), descriptors are shared
 * through `localFiles`, and `ready` is emitted once the first file is open when its first read goes
 * through the pool (read on the loop, the first chunk itself follows at once). Callback `fs` calls, not
 * FileHandle: no per-stream promise or finalizer work on the hot path.
 */
export class LocalRangeReader extends Readable {
  /** Readers not yet destroyed (an ended reader destroys itself): the chunk budget's divisor. */
  private static live = 0;

  /** The largest chunk one stream may read now: its share of `budget`. */
  static chunkCap(budget = CHUNK_BUDGET_BYTES): number {
    const share = budget / Math.max(1, LocalRangeReader.live);
    const power = 2 ** Math.floor(Math.log2(share));
    return Math.max(MIN_CHUNK_BYTES, Math.min(MAX_CHUNK_BYTES, power));
  }

  private slice = 0;
  private position = 0;
  private fd = -1;
  /** The path `fd` was acquired for. */
  private fdPath = '';
  /** A short range (see SHORT_RANGE_BUDGET_BYTES): read in chunks of its budget's share from the start. */
  private readonly short: boolean;
  private chunkBytes: number;
  private pushedAt = 0;
  /** An fs call is under way on `fd`: giving it back now could let `localFiles` close it mid-call. */
  private busy = false;
  private firstTurn: FileOpTurn | undefined;

  constructor(
    private readonly slices: readonly LocalSlice[],
    private readonly io: LocalIo = LOCAL_IO,
  ) {
    super({ highWaterMark: 0 });
    LocalRangeReader.live++;
    const length = slices.reduce((total, slice) => total + slice.to - slice.from + 1, 0);
    this.short = length <= MAX_CHUNK_BYTES;
    // A short range's buffer fits it (sizes stay powers of two, as the pool keeps them).
    this.chunkBytes = this.short
      ? Math.max(MIN_CHUNK_BYTES, 2 ** Math.ceil(Math.log2(length)))
      : MIN_CHUNK_BYTES;
  }

  override _read(): void {
    if (this.pushedAt > 0) this.adapt(performance.now() - this.pushedAt);
    this.next();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    LocalRangeReader.live--;
    if (!this.busy) this.closeFd();
    callback(error);
  }

  /** Gives the current file back to `localFiles` (which closes it once no stream has used it for a while). */
  private closeFd(): void {
    const fd = this.fd;
    this.fd = -1;
    if (fd >= 0) this.io.files.release(this.fdPath);
  }

  private adapt(takenAfterMs: number): void {
    if (takenAfterMs < FAST_MS) this.chunkBytes = Math.min(MAX_CHUNK_BYTES, this.chunkBytes * 2);
    else if (takenAfterMs > SLOW_MS) this.chunkBytes = Math.max(MIN_CHUNK_BYTES, this.chunkBytes / 2);
  }

  /**
   * When this stream's next file operation runs. Until it has sent its first chunk, a stream's
   * operations run on the loop at once while the disk is fast (decided once, so that its open and
   * first read go the same way), else ahead of other streams' reads.
   */
  private turn(): FileOpTurn {
    if (this.pushedAt > 0) return 'queued';
    return (this.firstTurn ??= this.io.inline.allowed ? 'now' : 'first');
  }

  private next(): void {
    const slice = this.slices[this.slice];
    if (!slice) {
      this.push(null);
      return;
    }
    const turn = this.turn();
    if (this.fd < 0) {
      this.busy = true;
      let waited = false;
      this.io.files.acquire(slice.path, turn, (error, fd) => {
        this.busy = false;
        if (error) {
          this.destroy(storeError(error, slice.ref));
          return;
        }
        this.fd = fd;
        this.fdPath = slice.path;
        if (this.destroyed) return this.closeFd();
        this.position = slice.from;
        // It waited for another stream's open through the pool: the gate may have closed meanwhile.
        if (waited && turn === 'now' && !this.io.inline.allowed) this.firstTurn = 'first';
        // The bytes are there: a response may send its status line now, before a first read through
        // the pool (see sendMedia). Read at once, the first chunk is that signal (and a failure is still
        // the answer's to give).
        if (this.slice === 0 && this.turn() !== 'now') this.emit('ready');
        this.next();
      });
      waited = this.busy;
      return;
    }
    const budget = this.short ? SHORT_RANGE_BUDGET_BYTES : CHUNK_BUDGET_BYTES;
    const size = Math.min(this.chunkBytes, LocalRangeReader.chunkCap(budget));
    const length = Math.min(size, slice.to - this.position + 1);
    if (length <= 0) {
      this.closeFd();
      this.slice++;
      this.next();
      return;
    }
    if (turn === 'now') {
      // A seek's first bytes, from the page cache in microseconds: no trip through the pool.
      const buffer = localChunks.take(size);
      const result = this.io.inline.run(length, () =>
        attempt(() => readSync(this.fd, buffer, 0, length, this.position)),
      );
      this.onRead(slice, buffer, size, result.error, result.value ?? 0);
      return;
    }
    this.busy = true;
    this.io.reads.run(turn === 'first', (done) => {
      if (this.destroyed) {
        this.busy = false;
        this.closeFd();
        return done();
      }
      // Pooled: the consumer gives it back (`releaseChunk`) once the socket has sent it.
      const buffer = localChunks.take(size);
      read(this.fd, buffer, 0, length, this.position, (error, bytesRead) => {
        done();
        this.busy = false;
        this.onRead(slice, buffer, size, error, bytesRead);
      });
    });
  }

  /** Hands on what a read of up to `size` bytes into `buffer` (a pooled chunk) brought. */
  private onRead(
    slice: LocalSlice,
    buffer: Buffer,
    size: number,
    error: NodeJS.ErrnoException | null,
    bytesRead: number,
  ): void {
    if (this.destroyed) {
      localChunks.give(buffer);
      return this.closeFd();
    }
    if (error || bytesRead === 0) {
      localChunks.give(buffer);
      this.destroy(
        error
          ? storeError(error, slice.ref)
          : new StorageUnavailableError(`stored part ${slice.ref} is shorter than recorded`),
      );
      return;
    }
    this.position += bytesRead;
    this.pushedAt = performance.now();
    this.push(bytesRead === size ? buffer : buffer.subarray(0, bytesRead));
  }
}

function storeError(error: NodeJS.ErrnoException, ref: string): Error {
  return error.code === 'ENOENT'
    ? new StoredObjectMissingError(`stored part ${ref} is missing`)
    : new StorageUnavailableError(`reading ${ref}: ${error.message}`);
}
