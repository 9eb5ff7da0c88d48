import { Injectable } from '@nestjs/common';
import { Types } from 'mongoose';
import { JobHandler } from '../../core/queue/job-handler.decorator.js';
import { JobName } from '../../core/queue/queue-names.js';
import { StillsMaker } from './stills-maker.js';

export interface StillsJobData {
  fileId: string;
}

/** What a finished run leaves on its job, for the admin page. */
export interface StillsJobResult {
  made: number;
}

/** Worker side of `regenerate-stills`; a failure is the run's outcome (the admin retries by hand). */
@Injectable()
export class StillsJob {
  constructor(private readonly maker: StillsMaker) {}

  @JobHandler(JobName.RegenerateStills)
  async run(data: StillsJobData): Promise<StillsJobResult> {
    if (!Types.ObjectId.isValid(data.fileId)) throw new Error(`not a file id: ${String(data.fileId)}`);
    return { made: await this.maker.make(new Types.ObjectId(data.fileId)) };
  }
}
