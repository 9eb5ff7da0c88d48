import { Readable } from 'node:stream';
import { StorageUnavailableError } from '../media-store.js';
import { type PlannedBlock } from './block-planner.js';

export type BlockFetcher = (block: PlannedBlock, signal: AbortSignal) => Promise<Buffer>;

/**
 * Streams planned blocks in order while keeping `window` requests in flight: a slot refills the moment
 * its block lands (not when the reader gets to it), so one slow block does not idle the others, and
 * there are no batch barriers. Memory stays bounded: landed-but-unread blocks plus requests in flight
 * never exceed twice the window. `destroy()` aborts every fetch.
 */
export class PrefetchReader extends Readable {
  private readonly controller = new AbortController();
  private readonly pending = new Map<number, Promise<Buffer>>();
  private nextToFetch = 0;
  private nextToPush = 0;
  private inFlight = 0;
  private pumping = false;

  constructor(
    private readonly blocks: readonly PlannedBlock[],
    private readonly fetchBlock: BlockFetcher,
    private readonly window: number,
    private readonly onSettled: () => void = () => {},
  ) {
    super({ highWaterMark: 0 });
  }

  override _read(): void {
    if (!this.pumping) void this.pump();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.controller.abort();
    this.settle();
    callback(error);
  }

  private async pump(): Promise<void> {
    this.pumping = true;
    try {
      for (;;) {
        if (this.destroyed) return;
        if (this.nextToPush >= this.blocks.length) {
          this.push(null);
          this.settle();
          return;
        }
        this.fill();
        const block = this.blocks[this.nextToPush];
        const bytes = await this.pending.get(this.nextToPush)!;
        if (this.destroyed) return;
        this.pending.delete(this.nextToPush);
        this.nextToPush++;
        // Blocks are planned from the parts' sizes, so a block holds every byte it keeps: fewer means
        // the stored part is not what was recorded, and the stream ends with an error, not a cut body.
        if (bytes.length < block.keepEnd) {
          throw new StorageUnavailableError(
            `block at ${block.offset} of part ${block.part} has ${bytes.length} bytes, expected at least ${block.keepEnd}`,
          );
        }
        const more = this.push(bytes.subarray(block.keepStart, block.keepEnd));
        this.fill();
        if (!more) return;
      }
    } catch (error) {
      this.destroy(error as Error);
    } finally {
      this.pumping = false;
    }
  }

  private fill(): void {
    while (
      this.nextToFetch < this.blocks.length &&
      this.inFlight < this.window &&
      this.nextToFetch - this.nextToPush < 2 * this.window
    ) {
      if (this.controller.signal.aborted) return;
      const index = this.nextToFetch++;
      this.inFlight++;
      const fetching = this.fetchBlock(this.blocks[index], this.controller.signal);
      const landed = () => {
        this.inFlight--;
        this.fill();
      };
      // A failure is surfaced when its block's turn comes (or dropped after an abort).
      fetching.then(landed, landed);
      this.pending.set(index, fetching);
    }
  }

  private settled = false;

  /** Runs `onSettled` once: after the last byte, an error or an abort (load counters depend on it). */
  private settle(): void {
    if (this.settled) return;
    this.settled = true;
    this.onSettled();
  }
}
