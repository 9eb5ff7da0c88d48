import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { MagicLinkRepository } from './magic-link.repository.js';
import { SessionRepository } from './session.repository.js';

const SWEEP_EVERY_MS = 10 * 60 * 1000;
/** Logged-out and expired sessions stay visible this long (for "recent sessions" in the panel). */
const KEEP_ENDED_SESSIONS_MS = 7 * 24 * 3600 * 1000;

/**
 * Expiry is enforced on read (no TTL indexes: FerretDB lacks them); this periodic sweep on the manager
 * only keeps the collections small. Safe to run on several managers at once: deletes are idempotent.
 */
@Injectable()
export class ExpiredCredentialsSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('auth');
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly sessions: SessionRepository,
    private readonly magicLinks: MagicLinkRepository,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.sweep(), SWEEP_EVERY_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  async sweep(now = new Date()): Promise<{ sessions: number; magicLinks: number }> {
    try {
      const cutoff = new Date(now.getTime() - KEEP_ENDED_SESSIONS_MS);
      const removed = {
        sessions: await this.sessions.deleteEndedBefore(cutoff),
        magicLinks: await this.magicLinks.deleteExpiredBefore(now),
      };
      if (removed.sessions + removed.magicLinks > 0) this.logger.log(`swept ${JSON.stringify(removed)}`);
      return removed;
    } catch (error) {
      this.logger.warn(`sweep of expired credentials failed: ${(error as Error).message}`);
      return { sessions: 0, magicLinks: 0 };
    }
  }
}
