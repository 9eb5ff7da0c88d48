import { Module } from '@nestjs/common';
import { BotModule } from '../bot/bot.module.js';
import { QueueModule } from '../core/queue/queue.module.js';
import { StreamUsageReader } from '../stream/usage/stream-usage.reader.js';
import { DashboardController } from './dashboard/dashboard.controller.js';
import { DashboardService } from './dashboard/dashboard.service.js';
import { ExplorerController } from './explorer/explorer.controller.js';
import { ExplorerService } from './explorer/explorer.service.js';
import { InFlightRefsRepository } from './explorer/in-flight-refs.repository.js';
import { LibraryPageService } from './library/library-page.service.js';
import { LibraryController } from './library/library.controller.js';
import { SseConnections } from './live/sse-connections.js';
import { LoginController } from './login.controller.js';
import { LogFeed } from './logs/log-feed.js';
import { LogsController } from './logs/logs.controller.js';
import { PanelExceptionFilter } from './panel-exception.filter.js';
import { SitePanelController } from './site/site-panel.controller.js';
import { PanelRenderer } from './panel-renderer.js';
import { CsrfTokens } from './security/csrf-tokens.js';
import { CsrfGuard } from './security/csrf.guard.js';
import { PanelAccessGuard } from './security/panel-access.guard.js';
import { SatelliteSettingsController } from './settings/satellite-settings.controller.js';
import { SettingsController } from './settings/settings.controller.js';
import { TasksController } from './tasks/tasks.controller.js';
import { UsersController } from './users/users.controller.js';

/**
 * The server-rendered admin panel under `/admin` (manager role): sign-in, dashboard, live tasks,
 * library CMS, live logs, users and access. Handlebars pages from `views/admin/`, scripts and styles from
 * `views/assets/`; no inline code, so the CSP can forbid it.
 */
@Module({
  imports: [QueueModule, BotModule],
  controllers: [
    LoginController,
    DashboardController,
    TasksController,
    LibraryController,
    LogsController,
    UsersController,
    SettingsController,
    SatelliteSettingsController,
    ExplorerController,
    SitePanelController,
  ],
  providers: [
    CsrfTokens,
    CsrfGuard,
    PanelAccessGuard,
    PanelRenderer,
    PanelExceptionFilter,
    SseConnections,
    DashboardService,
    LibraryPageService,
    LogFeed,
    ExplorerService,
    StreamUsageReader,
    InFlightRefsRepository,
  ],
})
export class AdminModule {}
