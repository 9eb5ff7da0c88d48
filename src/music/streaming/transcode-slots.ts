import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../core/config/app-config.js';

export class TranscodeBusyError extends Error {}

/**
 * At most TRANSCODE_CONCURRENCY ffmpeg transcodes at once on this process; a request beyond that
 * waits in line up to TRANSCODE_QUEUE_WAIT_MS, then is refused with a clear error.
 */
@Injectable()
export class TranscodeSlots {
  private running = 0;
  private readonly waiting: { grant: () => void; timer: NodeJS.Timeout }[] = [];

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  get active(): number {
    return this.running;
  }

  /** Resolves with a release function once a slot is free; rejects with TranscodeBusyError after the wait. */
  acquire(): Promise<() => void> {
    const release = () => {
      this.running--;
      const next = this.waiting.shift();
      if (next) {
        clearTimeout(next.timer);
        next.grant();
      }
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
      const entry = {
        grant: () => {
          this.running++;
          resolve(once());
        },
        timer: setTimeout(() => {
          this.waiting.splice(this.waiting.indexOf(entry), 1);
          reject(
            new TranscodeBusyError(
              `All ${this.config.music.transcodeConcurrency} transcoding slots are busy; try again shortly or ask for the original format`,
            ),
          );
        }, this.config.music.transcodeQueueWaitMs),
      };
      this.waiting.push(entry);
    });
  }
}
