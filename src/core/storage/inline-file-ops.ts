import { performance } from 'node:perf_hooks';

/** Slow operations (past `allowanceMs`) within STRIKE_WINDOW_MS that close the gate. */
const STRIKES = 5;
const STRIKE_WINDOW_MS = 10_000;
/** An operation this many times past its allowance closes the gate at once. */
const HARD_FACTOR = 5;

/**
 * Decides whether a stream's first file operations (its open, when the file is not open already, and
 * its first read) run on the event loop instead of libuv's thread pool. From the page cache they take
 * microseconds, while a trip through the pool (a pool thread woken, then the loop woken back) is the
 * largest part of a seek's time to first byte that is the streamer's own: 0.1–0.3 ms on a 2-CPU VM
 * (bench/stream), as nginx answers from the same cache with blocking reads.
 *
 * A disk that makes them slow (a cold spinning disk) would stall every stream while they run, so slow
 * operations send them all back to the pool for a back-off, which doubles each time the gate closes
 * again within a back-off of reopening. One operation far past its allowance (a disk seek) closes
 * the gate at once; ones just past it close it only when STRIKES come within STRIKE_WINDOW_MS,
 * because on a busy machine the loop's thread is sometimes pre-empted for a millisecond or two in
 * the middle of a copy (wrk at 5,000 seeks a second made a few in half a minute). Mounts where an
 * operation can hang (network, FUSE) never get here: the local store turns the gate off for them at
 * boot (`LocalMediaStore`). Later reads of a stream always go through the pool: there the copies of
 * many streams spread over the cores, and a slow disk costs nobody else.
 */
export class InlineFileOps {
  private closedUntil = 0;
  private backoffMs: number;
  private strikes: number[] = [];
  private closures = 0;
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
   * Runs `operation` (a synchronous fs call moving `bytes`) and returns its result, judging how long
   * it took against what a page-cache copy of that size plausibly can.
   */
  run<T>(bytes: number, operation: () => T): T {
    const started = this.now();
    try {
      return operation();
    } finally {
      this.judge(started, this.now(), allowanceMs(bytes));
    }
  }

  /** Times the gate closed after slow operations: for metrics. */
  get backoffs(): number {
    return this.closures;
  }

  private judge(started: number, finished: number, allowance: number): void {
    const took = finished - started;
    if (took <= allowance) return;
    this.strikes = [...this.strikes.filter((at) => at > finished - STRIKE_WINDOW_MS), finished];
    if (took <= allowance * HARD_FACTOR && this.strikes.length < STRIKES) return;
    // Closing again within a back-off of reopening: the disk is still slow, wait twice as long (a
    // stream's fast open just before its slow read must not reset that). Open for longer: start over.
    const retried = this.closedUntil > 0 && started - this.closedUntil < this.backoffMs;
    this.backoffMs = retried ? Math.min(this.maxBackoffMs, this.backoffMs * 2) : this.firstBackoffMs;
    this.closedUntil = finished + this.backoffMs;
    this.strikes = [];
    this.closures++;
  }
}

/**
 * What an operation moving `bytes` may take on the loop: 1 ms, plus 4 ms per MiB. A page-cache copy
 * of 1 MiB takes ~0.06 ms (p99 ~0.2 ms) on a 2-CPU VM into a buffer already used, but 2–4.5 ms into a
 * fresh one while 64 downloads start (its pages are faulted in as the copy goes); a spinning disk's
 * seek alone takes 4–10 ms.
 */
export function allowanceMs(bytes: number): number {
  return 1 + (4 * bytes) / (1024 * 1024);
}

/** The local store's gate: 30 s back on the pool after slow operations, doubling up to 16 minutes. */
export const localInline = new InlineFileOps(30_000, 16 * 60_000);
