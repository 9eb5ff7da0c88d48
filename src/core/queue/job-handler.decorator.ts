import { SetMetadata } from '@nestjs/common';
import { type JobName } from './queue-names.js';

export const JOB_HANDLER_METADATA = 'streamvault:job-handler';

/** Marks a provider method as the one handler of a job; it receives the job's data and the job. */
export const JobHandler = (name: JobName) => SetMetadata(JOB_HANDLER_METADATA, name);
