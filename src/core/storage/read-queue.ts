import { availableParallelism } from 'node:os';

/**
 * Orders the local store's file operations (opens and reads) ahead of libuv's thread pool, which runs
 * them first come, first served: with hundreds of streams refilling their sockets, a new viewer's
 * open and first read would wait behind all of them. Here a stream's first operations go before the
 * reads of streams that already answered, and no more run at once than the pool has threads (more
 * would only queue inside libuv, beyond reordering).
 */
export class ReadQueue {
  private running = 0;
  private readonly first: (() => void)[] = [];
  private readonly rest: (() => void)[] = [];

  constructor(private readonly limit: number) {}

  /**
   * Runs `job` when a slot is free (`firstOfStream` jobs before the others); the job calls `done`
   * exactly once when its fs call has completed.
   */
  run(firstOfStream: boolean, job: (done: () => void) => void): void {
    const start = () => {
      this.running++;
      let finished = false;
      job(() => {
        if (finished) return;
        finished = true;
        this.running--;
        this.next();
      });
    };
    if (this.running < this.limit) start();
    else (firstOfStream ? this.first : this.rest).push(start);
  }

  /** Operations waiting for a slot. */
  get waiting(): number {
    return this.first.length + this.rest.length;
  }

  private next(): void {
    const start = this.first.shift() ?? this.rest.shift();
    start?.();
  }
}

/**
 * How many local file operations run at once: twice the CPUs, and never more than libuv's pool has
 * threads (`UV_THREADPOOL_SIZE`, read by libuv itself from the environment at the first pool use; 4 by
 * default, the image sets 16 so that slow opens on a network disk do not hold up the rest). Reads from
 * the page cache are memory copies: on 2 CPUs, 16 at once fought the event loop for the cores and
 * halved a streamer's full-file throughput (bench/stream: 0.25–0.69× nginx with 16, 0.68–0.78× with 4).
 */
export function localReadConcurrency(
  poolSize = Number(process.env.UV_THREADPOOL_SIZE) || 4,
  cpus = availableParallelism(),
): number {
  return Math.max(1, Math.min(poolSize, 2 * cpus));
}

/** The local store's queue. */
export const localReads = new ReadQueue(localReadConcurrency());
