import { Module } from '@nestjs/common';
import { LogBroadcaster } from './log-broadcaster.js';

/** Every role publishes its log lines for the admin panel's live log view. */
@Module({ providers: [LogBroadcaster] })
export class LogBroadcastModule {}
