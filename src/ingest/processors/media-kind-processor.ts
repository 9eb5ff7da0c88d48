import { type IngestItem, type MediaKind } from '../items/ingest-item.js';
import { type IngestTask } from '../schemas/ingest-task.schema.js';

/**
 * One item of a task as a processor sees it. `record` writes the item's step results to the task
 * (one update) before the next step, so a run that is retried or taken over resumes after them.
 */
export interface ItemContext {
  readonly task: IngestTask;
  /** Its position in `task.items` (stable: items are never reordered). */
  readonly index: number;
  /** The item as last recorded. */
  readonly item: IngestItem;
  /** Absolute path of the item's file in the sandbox. */
  readonly path: string;
  readonly signal: AbortSignal;
  record(patch: Partial<IngestItem>): Promise<IngestItem>;
  /** Every item of the task as last recorded (companions look up the item they belong to). */
  items(): readonly IngestItem[];
}

/**
 * The processor of one media kind. The pipeline runs every `main` item through its processor, then
 * every `companion` item (subtitles, pictures: they belong to a main item), then hands each processor
 * its stored items to file into the library in one batch, and after the task is done lets it make
 * what may follow the playable file (stills, samples). Adding a kind is adding one of these.
 */
export interface MediaKindProcessor {
  readonly kind: MediaKind;
  readonly stage: 'main' | 'companion';
  /**
   * Takes the item from `pending` (or wherever a previous run left it) to `stored` or `done`, or
   * throws `ItemFailedError` with a reason for people. Must resume from what the item records.
   */
  process(context: ItemContext): Promise<void>;
  /** Files this kind's `stored` items of one task into the library (one batch) and marks them `done`. */
  file?(batch: readonly ItemContext[]): Promise<void>;
  /** After the task is done: extras made from an item (best effort; failures are logged). */
  finish?(context: ItemContext): Promise<void>;
}

/** The item cannot be ingested, for a reason worth telling the user; the task's other items go on. */
export class ItemFailedError extends Error {
  override name = 'ItemFailedError';
}

/**
 * True when a previous run already stored the item's bytes (`fileId`): the item goes back to `stored`
 * without storing anything again, so this run files it. An item whose filing failed comes back here
 * on a retry (as `pending`), as does one a worker stopped with; without this it would stay `pending`.
 */
export async function resumedAsStored(context: ItemContext): Promise<boolean> {
  if (!context.item.fileId) return false;
  await context.record({ state: 'stored' });
  return true;
}

/** Injection token of the processors shipped with ingest (see MediaProcessorRegistry). */
export const MEDIA_KIND_PROCESSORS = Symbol('MEDIA_KIND_PROCESSORS');
