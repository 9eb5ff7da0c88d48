import { Module } from '@nestjs/common';
import { SitePagesModule } from '../pages/site-pages.module.js';
import { PartyBus } from './party-bus.js';
import { PartyHub } from './party-hub.js';
import { PartyPageController } from './party-page.controller.js';
import { PartyRoomRepository } from './party-room.repository.js';
import { PartyTickets } from './party-tickets.js';
import { PartyController } from './party.controller.js';
import { PartyGateway } from './party.gateway.js';
import { PartyMetrics } from './party.metrics.js';
import { PartyService } from './party.service.js';

/**
 * Watch parties (manager role): rooms in Redis shared by every manager, a WebSocket per participant at
 * `/party/ws` (the WsAdapter is installed on managers only, in create-app.ts), the party page.
 */
@Module({
  imports: [SitePagesModule],
  controllers: [PartyController, PartyPageController],
  providers: [
    PartyRoomRepository,
    PartyTickets,
    PartyBus,
    PartyHub,
    PartyService,
    PartyGateway,
    PartyMetrics,
  ],
  exports: [PartyHub],
})
export class PartyModule {}
