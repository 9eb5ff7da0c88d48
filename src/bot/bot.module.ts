import { Module } from '@nestjs/common';
import { QueueModule } from '../core/queue/queue.module.js';
import { AuthorizedChatRepository } from './access/authorized-chat.repository.js';
import { BotAccessService } from './access/bot-access.service.js';
import { BotCommandLimit } from './access/bot-command-limit.js';
import { BotRunner } from './bot-runner.js';
import { BotUpdatesHandler } from './bot-updates.handler.js';
import { BotWebhookController } from './bot-webhook.controller.js';
import { BotAdminService } from './commands/bot-admin.service.js';
import { BotSearchService } from './commands/bot-search.service.js';
import { BotTasksService } from './commands/bot-tasks.service.js';
import { BotNotifier } from './delivery/bot-notifier.service.js';
import { BotGateway } from './gateway/telegraf-bot.gateway.js';
import { CompletionNotifier } from './library/completion-notifier.service.js';
import { WatchLinks } from './library/watch-links.js';
import { BotStateRepository } from './status/bot-state.repository.js';
import { StatusBoard } from './status/status-board.service.js';

/**
 * The Telegram bot (manager role): commands, the silent-manager delivery rule, one live status message
 * per chat, completion notices. Without TELEGRAM_BOT_TOKEN it logs that it is disabled and does nothing.
 */
@Module({
  imports: [QueueModule],
  controllers: [BotWebhookController],
  providers: [
    BotGateway,
    BotRunner,
    BotUpdatesHandler,
    BotAccessService,
    BotCommandLimit,
    BotNotifier,
    BotStateRepository,
    StatusBoard,
    CompletionNotifier,
    WatchLinks,
    BotTasksService,
    BotSearchService,
    BotAdminService,
    AuthorizedChatRepository,
  ],
  exports: [AuthorizedChatRepository],
})
export class BotModule {}
