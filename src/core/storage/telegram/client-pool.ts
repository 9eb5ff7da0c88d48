import { StorageUnavailableError } from '../media-store.js';

export interface PoolLease {
  readonly sessionId: string;
  /**
   * `failedSession` answered FLOOD_WAIT: parks it and moves this lease to the least-loaded other session.
   * A window of requests sent on one session brings several late answers; only the first moves the
   * lease, the rest (arriving while or after it moves) neither park nor move anything again.
   */
  failOver(failedSession: string, parkSeconds: number): Promise<void>;
  release(): void;
}

const WAIT_FOR_CAPACITY_MS = 5000;

/**
 * Spreads streams over Telegram sessions: each stream leases the least-loaded session with room
 * (at most `maxPerSession` streams each), parked sessions (FLOOD_WAIT) are skipped until their wait
 * ends, and every lease is released exactly once — the count can never leak.
 */
export class ClientPool {
  private readonly load = new Map<string, number>();
  private readonly parkedUntil = new Map<string, number>();
  private readonly waiters: (() => void)[] = [];

  constructor(
    sessionIds: readonly string[],
    private readonly maxPerSession: number,
    private readonly now: () => number = Date.now,
  ) {
    for (const id of sessionIds) this.load.set(id, 0);
  }

  /** Current streams per session (for metrics and tests). */
  loads(): Record<string, number> {
    return Object.fromEntries(this.load);
  }

  async lease(signal?: AbortSignal): Promise<PoolLease> {
    let sessionId = await this.take(undefined, signal);
    let released = false;
    let moving: Promise<void> | undefined;
    return {
      get sessionId() {
        return sessionId;
      },
      failOver: (failedSession: string, parkSeconds: number) => {
        if (failedSession !== sessionId) return Promise.resolve();
        moving ??= (async () => {
          this.park(failedSession, parkSeconds);
          try {
            const next = await this.take(failedSession, signal);
            // Released while moving: the release gave back the old session, so the new one goes too.
            if (released) return this.give(next);
            this.give(failedSession);
            sessionId = next;
          } finally {
            moving = undefined;
          }
        })();
        return moving;
      },
      release: () => {
        if (released) return;
        released = true;
        this.give(sessionId);
      },
    };
  }

  /** The least-loaded session not waiting out a flood limit (else the one whose wait ends first). */
  leastBusy(): string {
    const now = this.now();
    return [...this.load.keys()].sort(
      (a, b) =>
        Math.max(0, (this.parkedUntil.get(a) ?? 0) - now) -
          Math.max(0, (this.parkedUntil.get(b) ?? 0) - now) || this.load.get(a)! - this.load.get(b)!,
    )[0];
  }

  /** How long `sessionId` still waits out a flood limit (0: free now). */
  parkedMs(sessionId: string): number {
    return Math.max(0, (this.parkedUntil.get(sessionId) ?? 0) - this.now());
  }

  park(sessionId: string, seconds: number): void {
    this.parkedUntil.set(sessionId, this.now() + seconds * 1000);
  }

  private async take(avoid: string | undefined, signal?: AbortSignal): Promise<string> {
    const deadline = this.now() + WAIT_FOR_CAPACITY_MS;
    for (;;) {
      signal?.throwIfAborted();
      const chosen = this.pick(avoid);
      if (chosen) {
        this.load.set(chosen, (this.load.get(chosen) ?? 0) + 1);
        return chosen;
      }
      if (this.now() >= deadline) {
        throw new StorageUnavailableError('every Telegram session is busy or waiting out a flood limit');
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 100);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  private pick(avoid: string | undefined): string | undefined {
    const now = this.now();
    let best: string | undefined;
    for (const [id, load] of this.load) {
      if (id === avoid || load >= this.maxPerSession || (this.parkedUntil.get(id) ?? 0) > now) continue;
      if (best === undefined || load < this.load.get(best)!) best = id;
    }
    return best;
  }

  private give(sessionId: string): void {
    this.load.set(sessionId, Math.max(0, (this.load.get(sessionId) ?? 1) - 1));
    this.waiters.splice(0).forEach((wake) => wake());
  }
}
