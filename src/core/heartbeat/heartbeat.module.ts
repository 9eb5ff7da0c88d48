import { Global, Module } from '@nestjs/common';
import { HeartbeatPublisher } from './heartbeat.publisher.js';
import { HeartbeatRepository } from './heartbeat.repository.js';

@Global()
@Module({
  providers: [HeartbeatPublisher, HeartbeatRepository],
  exports: [HeartbeatRepository],
})
export class HeartbeatModule {}
