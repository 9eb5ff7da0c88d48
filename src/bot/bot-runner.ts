import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../core/config/app-config.js';
import { SettingsService } from '../core/settings/settings.service.js';
import { BotUpdatesHandler } from './bot-updates.handler.js';
import { BOT_COMMANDS } from './commands/bot-commands.js';
import { isBotApiError } from './gateway/bot-api.error.js';
import { BotGateway } from './gateway/telegraf-bot.gateway.js';
import { StatusBoard } from './status/status-board.service.js';

const CONNECT_RETRY_MS = 30_000;

/**
 * Starts the bot with the manager, or says once that it is disabled (no TELEGRAM_BOT_TOKEN). Telegram
 * being unreachable at boot does not stop the manager: the bot retries in the background. The status
 * rounds run one after another, each STATUS_INTERVAL after the previous one ended.
 */
@Injectable()
export class BotRunner implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('bot');
  private stopped = false;
  private timer?: NodeJS.Timeout;
  private retryTimer?: NodeJS.Timeout;
  private endPause?: () => void;
  private round?: Promise<void>;
  private started?: Promise<void>;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly gateway: BotGateway,
    private readonly updates: BotUpdatesHandler,
    private readonly board: StatusBoard,
    private readonly settings: SettingsService,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.bot.token) {
      this.logger.log('Telegram bot disabled: TELEGRAM_BOT_TOKEN is not set');
      return;
    }
    this.started = this.connect();
  }

  private async connect(): Promise<void> {
    while (!this.stopped) {
      try {
        await this.gateway.start(this.updates);
        break;
      } catch (error) {
        this.logger.error(
          `cannot start the Telegram bot (${(error as Error).message}); retrying in ${CONNECT_RETRY_MS / 1000} s`,
        );
        await this.pause(CONNECT_RETRY_MS);
      }
    }
    if (this.stopped) return;
    this.schedule();
    await this.registerCommands();
  }

  /**
   * The command menu is a convenience, retried on its own: a refused `setMyCommands` (a 429 at boot)
   * once retried the whole start, which launched a second polling loop beside the running one.
   */
  private async registerCommands(): Promise<void> {
    while (!this.stopped) {
      try {
        await this.gateway.setCommands(BOT_COMMANDS);
        return;
      } catch (error) {
        const waitMs = isBotApiError(error, 'rate_limited')
          ? Math.max(1, error.retryAfterSeconds) * 1000
          : CONNECT_RETRY_MS;
        this.logger.warn(
          `cannot set the bot's command menu (${(error as Error).message}); retrying in ${waitMs / 1000} s`,
        );
        await this.pause(waitMs);
      }
    }
  }

  /** Waits `ms`, or until shutdown. */
  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.endPause = resolve;
      this.retryTimer = setTimeout(resolve, ms);
    });
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.round = this.board
        .tick()
        .catch((error: unknown) => this.logger.error(`status round failed: ${(error as Error).message}`))
        .finally(() => this.schedule());
    }, this.settings.cached().botStatusIntervalSeconds * 1000);
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    clearTimeout(this.retryTimer);
    this.endPause?.();
    await this.round;
    if (this.started) await this.gateway.stop();
  }
}
