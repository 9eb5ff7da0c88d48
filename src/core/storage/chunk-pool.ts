/**
 * Read buffers the local store lends to its streams and takes back once the socket has sent them.
 * Without it each chunk is a fresh allocation that lives until a garbage collection notices it (V8 lets
 * tens of MB of such buffers pile up) and whose memory the allocator keeps afterwards: 200 paced
 * viewers cost ~120 MB more than the bytes actually in flight. Buffers come in power-of-two sizes
 * (the reader's chunk sizes); at most `maxIdleBytes` wait idle, the rest go back to the allocator.
 * When it is full, a buffer coming back displaces idle ones of other sizes: what streams read changes
 * with how many there are (1 MiB for one download, 32 KiB for hundreds of viewers), and idle buffers
 * of a size nobody reads any more would only hold memory while the sizes in use were turned away.
 * And it keeps only what streams use: every `trim` (on the pool's interval, from the first buffer given back)
 * lets go of the idle bytes nobody took since the last one, so a burst (500 viewers, a wrk run) does
 * not leave the pool sitting on its limit for the quiet hours after it.
 */
export class ChunkPool {
  private readonly idle = new Map<number, ArrayBuffer[]>();
  /** Every buffer this pool made, so a buffer it did not make (or one handed back twice) is ignored. */
  private readonly lent = new WeakSet<ArrayBuffer>();
  private idleBytes = 0;
  /** The fewest bytes that sat idle at any moment since the last trim: what nobody needed. */
  private unusedBytes = 0;
  private trimmer: NodeJS.Timeout | undefined;

  constructor(
    private readonly maxIdleBytes: number,
    private readonly trimIntervalMs = 0,
  ) {}

  /** A buffer of exactly `size` bytes (old contents: the caller overwrites what it uses). */
  take(size: number): Buffer {
    const memory = this.idle.get(size)?.pop();
    if (memory) {
      this.idleBytes -= size;
      this.unusedBytes = Math.min(this.unusedBytes, this.idleBytes);
      this.lent.add(memory);
      return Buffer.from(memory);
    }
    const buffer = Buffer.allocUnsafeSlow(size);
    this.lent.add(buffer.buffer as ArrayBuffer);
    return buffer;
  }

  /**
   * Takes back the buffer under `chunk` (a chunk `take` made, or a slice of one) once nothing reads
   * it any more. Anything else is left alone.
   */
  give(chunk: Uint8Array): void {
    const memory = chunk.buffer as ArrayBuffer;
    if (!this.lent.has(memory)) return;
    this.lent.delete(memory);
    const size = memory.byteLength;
    if (size > this.maxIdleBytes) return;
    // Full: buffers of other sizes make room (the sizes streams read change with their number: the
    // ones wanted now are those coming back now), else this one goes.
    while (this.idleBytes + size > this.maxIdleBytes) if (this.evictOne(size) === 0) return;
    let list = this.idle.get(size);
    if (!list) this.idle.set(size, (list = []));
    list.push(memory);
    this.idleBytes += size;
    this.startTrimming();
  }

  /**
   * Lets go of as many idle bytes as sat unused through the whole period since the last trim (the
   * longest-pooled sizes first); what streams took and gave back meanwhile stays.
   */
  trim(): void {
    let excess = this.unusedBytes;
    while (excess > 0) {
      const freed = this.evictOne();
      if (freed === 0) break;
      excess -= freed;
    }
    this.unusedBytes = this.idleBytes;
  }

  /** Trims on a timer that never keeps the process alive, from the first buffer given back on. */
  private startTrimming(): void {
    if (this.trimmer || this.trimIntervalMs <= 0) return;
    this.trimmer = setInterval(() => this.trim(), this.trimIntervalMs).unref();
  }

  /**
   * Lets go of one idle buffer, of another size than `sparing` if given (the longest-pooled size
   * first): its size, or 0 when there is none.
   */
  private evictOne(sparing?: number): number {
    for (const [other, list] of this.idle) {
      if (other === sparing) continue;
      list.pop();
      this.idleBytes -= other;
      if (list.length === 0) this.idle.delete(other);
      return other;
    }
    return 0;
  }

  /** Bytes waiting idle (for tests and metrics). */
  get idleByteCount(): number {
    return this.idleBytes;
  }
}

/**
 * The local store's pool: 24 MiB idle at most, next to the chunks in use. A buffer the pool turns away
 * is not freed when the socket is done with it but when a garbage collection finds it, and V8 lets tens
 * of MB of such buffers wait: with 8 MiB idle, 200 paced viewers (chunks of several sizes while they
 * ramp up and re-open at new offsets) kept the pool turning buffers away, and the streamer's RSS peaked
 * 10–20 MB higher than with 24 MiB (bench/stream, README "the streamer's hot path"). Trimmed every
 * 2 s to what streams took meanwhile.
 */
export const localChunks = new ChunkPool(24 * 1024 * 1024, 2000);

/**
 * Hands a chunk read from a store back for reuse: call it when the chunk's bytes are no longer
 * needed (the socket has taken them). Chunks of other stores are ignored.
 */
export function releaseChunk(chunk: Uint8Array): void {
  localChunks.give(chunk);
}
