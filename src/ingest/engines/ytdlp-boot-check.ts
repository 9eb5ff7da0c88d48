import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../core/config/app-config.js';
import { YtDlpEngine } from './ytdlp.engine.js';

/**
 * At worker boot, logs which yt-dlp the worker will run and its version (sites break old ones within
 * weeks, so this is the first line to read when page links start failing). A missing or broken yt-dlp
 * is one warning line, not a failed boot: direct links and torrents do not need it.
 */
@Injectable()
export class YtDlpBootCheck implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('ingest');
  private readonly stopping = new AbortController();
  private check?: Promise<void>;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  onApplicationBootstrap(): void {
    // Not awaited: Python's start-up (a few hundred ms) is no reason to delay taking jobs.
    this.check = this.report();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping.abort();
    await this.check;
  }

  private async report(): Promise<void> {
    const command = this.config.ingest.ytdlpPath;
    try {
      const version = await YtDlpEngine.version(command, this.stopping.signal);
      this.logger.log(`yt-dlp ${version} (${command})`);
    } catch (error) {
      if (this.stopping.signal.aborted) return;
      this.logger.warn(
        `${(error as Error).message}: links to web pages will fail (direct links and torrents do not need it); see "Updating yt-dlp" in the README`,
      );
    }
  }
}
