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
 * The local store's queue, as wide as libuv's pool (`UV_THREADPOOL_SIZE`, read by libuv itself from
 * the environment at the first pool use; 4 by default, the image sets 16).
 */
export const localReads = new ReadQueue(Math.max(1, Number(process.env.UV_THREADPOOL_SIZE) || 4));
