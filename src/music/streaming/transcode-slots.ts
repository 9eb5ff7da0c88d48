import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../core/config/app-config.js';

export class TranscodeBusyError extends Error {}

/** The request gave up (its client went away) before a slot was free: it leaves the line. */
export class TranscodeWaitAbandoned extends Error {}

/**
 * At most TRANSCODE_CONCURRENCY ffmpeg transcodes at once on this process; a request beyond that
 * waits in line up to TRANSCODE_QUEUE_WAIT_MS, then is refused with a clear error.
 */
@Injectable()
export class TranscodeSlots {
  private running = 0;
  private readonly waiting: { grant: () => void }[] = [];

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  get active(): number {
    return this.running;
  }

  /** Requests waiting in line for a slot. */
  get queued(): number {
    return this.waiting.length;
  }

  /**
   * Resolves with a release function once a slot is free; rejects with TranscodeBusyError after the
   * wait, or with TranscodeWaitAbandoned as soon as `signal` aborts (a slot is then never granted to
   * work nobody would receive).
   */
  acquire(signal?: AbortSignal): Promise<() => void> {
    if (signal?.aborted) return Promise.reject(new TranscodeWaitAbandoned('The client went away'));
    const release = () => {
      this.running--;
      const next = this.waiting.shift();
      if (next) next.grant();
    };
    const once = () => {
      let released = false;
      return () => {
        if (released) return;
        released = true;
        release();
      };
    };
    if (this.running < this.config.music.transcodeConcurrency) {
      this.running++;
      return Promise.resolve(once());
    }
    return new Promise((resolve, reject) => {
      const leaveWith = (error: Error) => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', abandon);
        const at = this.waiting.indexOf(entry);
        if (at !== -1) this.waiting.splice(at, 1);
        reject(error);
      };
      const abandon = () => leaveWith(new TranscodeWaitAbandoned('The client went away'));
      const timer = setTimeout(
        () =>
          leaveWith(
            new TranscodeBusyError(
              `All ${this.config.music.transcodeConcurrency} transcoding slots are busy; try again shortly or ask for the original format`,
            ),
          ),
        this.config.music.transcodeQueueWaitMs,
      );
      const entry = {
        grant: () => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', abandon);
          this.running++;
          resolve(once());
        },
      };
      signal?.addEventListener('abort', abandon, { once: true });
      this.waiting.push(entry);
    });
  }
}
