/**
 * Every BullMQ queue and job the system knows, in one place. A worker refuses to boot when a job
 * named here has no handler (see JobHandlerRegistry), so adding a job is: name it here, map it to its
 * queue, write its `@JobHandler`.
 */
export enum QueueName {
  /** Link → stored, indexed media (download, process, upload, index). */
  Ingest = 'ingest',
  /** Library upkeep: metadata enrichment, storage deletion, sweeps. */
  Library = 'library',
  /** ffmpeg work on one stored file (admin "regenerate screenshots"); minutes each, so not behind library upkeep. */
  Media = 'media',
}

export enum JobName {
  /** Carries `{ taskId }`: download → process → upload → index one ingest task. */
  Ingest = 'ingest',
  /** Carries `{ titleId }`: describe a title from TMDB / Jikan; retried with backoff while they are down. */
  Enrich = 'enrich',
  /** Scheduled every minute: removes stored objects listed in `pending_deletions` from the store. */
  DrainDeletions = 'drain-deletions',
  /** No data: rebuild the catalog index from the database (admin button, API). */
  RebuildCatalog = 'rebuild-catalog',
  /** Carries `{ titleId }`: keep the poster and backdrop enrichment found in the MediaStore. */
  FetchArtwork = 'fetch-artwork',
  /** Scheduled daily: removes kept artwork no title uses any more (deleted titles, changed posters). */
  SweepArtwork = 'sweep-artwork',
  /** Carries `{ fileId }`: new stills of a stored video from a copy of its bytes (admin explorer). */
  RegenerateStills = 'regenerate-stills',
}

/** Which queue carries each job. */
export const JOB_QUEUE: Readonly<Record<JobName, QueueName>> = {
  [JobName.Ingest]: QueueName.Ingest,
  [JobName.Enrich]: QueueName.Library,
  [JobName.DrainDeletions]: QueueName.Library,
  [JobName.RebuildCatalog]: QueueName.Library,
  [JobName.FetchArtwork]: QueueName.Library,
  [JobName.SweepArtwork]: QueueName.Library,
  [JobName.RegenerateStills]: QueueName.Media,
};

export const ALL_QUEUES: readonly QueueName[] = Object.values(QueueName);
export const ALL_JOBS: readonly string[] = Object.values(JobName);

export function queueOfJob(job: string): QueueName | undefined {
  return (JOB_QUEUE as Readonly<Record<string, QueueName>>)[job];
}
