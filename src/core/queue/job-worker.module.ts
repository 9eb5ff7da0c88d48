import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { JobWorkers } from './job-workers.js';

/** Imported only by the worker role: queue processors exist nowhere else. */
@Module({
  imports: [DiscoveryModule],
  providers: [JobWorkers],
})
export class JobWorkerModule {}
