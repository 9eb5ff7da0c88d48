import { performance } from 'node:perf_hooks';

/**
 * Decides whether a stream's first file operations (its open, when the file is not open already, and
 * its first read) run on the event loop instead of libuv's thread pool. From the page cache they take
 * microseconds, while a trip through the pool (a pool thread woken, then the loop woken back) is the
 * largest part of a seek's time to first byte that is the streamer's own: 0.1–0.3 ms on a 2-CPU VM
 * (bench/stream), as nginx answers from the same cache with blocking reads. A disk that makes them
 * slow (a cold spinning disk) would stall every stream while they run, so one operation slower than
 * its allowance sends them all back to the pool for a back-off that doubles while the operation tried
 * after it is slow too. Mounts where an operation can hang (network, FUSE) never get here: the local
 * store turns the gate off for them at boot (`LocalMediaStore`). Later reads of a stream always go
 * through the pool: there the copies of many streams spread over the cores, and a slow disk costs
 * nobody else.
 */
export class InlineFileOps {
  private closedUntil = 0;
  private backoffMs: number;
  private slow = 0;
  private off = false;

  constructor(
    private readonly firstBackoffMs: number,
    private readonly maxBackoffMs: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.backoffMs = firstBackoffMs;
  }

  /** Whether the next first operation may run on the loop. */
  get allowed(): boolean {
    return !this.off && this.now() >= this.closedUntil;
  }

  /** Sends every operation to the pool from now on (a network mount, or the operator's choice). */
  turnOff(): void {
    this.off = true;
  }

  /**
   * Runs `operation` (a synchronous fs call moving `bytes`) and returns its result; if it took
   * longer than a page-cache copy of that size plausibly can, closes the gate for the back-off.
   */
  run<T>(bytes: number, operation: () => T): T {
    const started = this.now();
    try {
      return operation();
    } finally {
      const finished = this.now();
      if (finished - started > allowanceMs(bytes)) {
        // Slow again on the first try after a back-off: the disk is still slow, wait twice as long.
        const retried = this.closedUntil > 0 && started - this.closedUntil < this.backoffMs;
        if (retried) this.backoffMs = Math.min(this.maxBackoffMs, this.backoffMs * 2);
        this.closedUntil = finished + this.backoffMs;
        this.slow++;
      } else {
        this.backoffMs = this.firstBackoffMs;
      }
    }
  }

  /** Operations that found the disk slow (each closed the gate): for metrics. */
  get slowOperations(): number {
    return this.slow;
  }
}

/**
 * What an operation moving `bytes` may take on the loop: 1 ms, plus 1 ms per MiB. A page-cache copy
 * of 1 MiB takes ~0.06 ms (p99 ~0.2 ms) on a 2-CPU VM; a spinning disk's seek alone takes 4–10 ms.
 */
export function allowanceMs(bytes: number): number {
  return 1 + bytes / (1024 * 1024);
}

/** The local store's gate: 30 s back on the pool after a slow operation, doubling up to 16 minutes. */
export const localInline = new InlineFileOps(30_000, 16 * 60_000);
