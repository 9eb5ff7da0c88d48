import { performance } from 'node:perf_hooks';

/**
 * Decides whether a stream's first file operations (its open, when the file is not open already, and
 * its first read) run on the event loop instead of libuv's thread pool. From the page cache they take
 * microseconds, while a trip through the pool (a pool thread woken, then the loop woken back) is the
 * largest part of a seek's time to first byte that is the streamer's own: 0.1–0.3 ms on a 2-CPU VM
 * (bench/stream), as nginx answers from the same cache with blocking reads. A disk that makes them
 * slow (a cold spinning disk, a network mount) would stall every stream while they run, so one
 * operation slower than its allowance sends them all back to the pool for `backoffMs`, after which
 * one is tried on the loop again. Later reads of a stream always go through the pool: there the copies
 * of many streams spread over the cores, and a slow disk costs nobody else.
 */
export class InlineFileOps {
  private closedUntil = 0;
  private slow = 0;

  constructor(
    private readonly backoffMs: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Whether the next first operation may run on the loop. */
  get allowed(): boolean {
    return this.now() >= this.closedUntil;
  }

  /**
   * Runs `operation` (a synchronous fs call moving `bytes`) and returns its result; if it took
   * longer than a page-cache copy of that size plausibly can, closes the gate for `backoffMs`.
   */
  run<T>(bytes: number, operation: () => T): T {
    const started = this.now();
    try {
      return operation();
    } finally {
      if (this.now() - started > allowanceMs(bytes)) {
        this.closedUntil = this.now() + this.backoffMs;
        this.slow++;
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

/** The local store's gate: 30 s back on the pool after a slow operation. */
export const localInline = new InlineFileOps(30_000);
