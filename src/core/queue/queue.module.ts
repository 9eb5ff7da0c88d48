import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { LoggedQueue } from './logged-queue.js';
import { QueueDepthMetrics } from './queue-depth.metrics.js';
import { ALL_QUEUES } from './queue-names.js';
import { queueConnection } from './queue-connection.js';

// Set before `registerQueue` below builds the queue providers (@nestjs/bullmq's documented hook).
BullModule.queueClass = LoggedQueue;

/** Producer side of every queue: injectable `Queue`s (`@InjectQueue(QueueName.X)`) and depth gauges. */
@Module({
  imports: [
    BullModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => queueConnection(config),
    }),
    BullModule.registerQueue(...ALL_QUEUES.map((name) => ({ name }))),
  ],
  providers: [QueueDepthMetrics],
  exports: [BullModule],
})
export class QueueModule {}
