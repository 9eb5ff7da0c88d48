/**
 * Download speed as an exponential moving average of instantaneous rates, so one stalled second does
 * not make the ETA jump to infinity and one burst does not make it collapse to zero.
 */
export class SpeedMeter {
  private speed = 0;
  private lastBytes = 0;
  private lastAt: number;
  private primed = false;

  /** `halfLifeMs`: how long until an old rate weighs half as much. */
  constructor(
    now: number,
    private readonly halfLifeMs = 3000,
  ) {
    this.lastAt = now;
  }

  /** Feeds the running byte count; returns the smoothed speed in bytes per second. */
  update(bytesDone: number, now: number): number {
    const elapsed = now - this.lastAt;
    if (elapsed <= 0) return this.speed;
    const rate = ((bytesDone - this.lastBytes) * 1000) / elapsed;
    const weight = 1 - Math.pow(0.5, elapsed / this.halfLifeMs);
    this.speed = this.primed ? this.speed + weight * (rate - this.speed) : rate;
    this.primed = true;
    this.lastBytes = bytesDone;
    this.lastAt = now;
    return this.speed;
  }

  get bytesPerSecond(): number {
    return this.speed;
  }

  /** Seconds left at the smoothed speed, or undefined when unknown (no total, or no speed yet). */
  etaSeconds(bytesDone: number, total: number | undefined): number | undefined {
    if (total === undefined || this.speed <= 0) return undefined;
    return Math.max(0, Math.ceil((total - bytesDone) / this.speed));
  }
}
