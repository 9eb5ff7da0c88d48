import { type Readable } from 'node:stream';
import { type StorageKind } from '../config/app-config.js';

/** One stored piece of a file; a file over the store's part size is several, read in order. */
export interface StoredPart {
  ref: string;
  size: number;
}

/** What makes a `put` safe to repeat after a crash. */
export interface PutOptions {
  /**
   * A stable name for this upload (ingest uses the task id). Stores that can address objects by name
   * write the same object again instead of a second copy.
   */
  key?: string;
  /** Parts a previous, interrupted put already stored: only the rest is uploaded. */
  done?: readonly StoredPart[];
  /**
   * Called after each part is stored, so the caller can record it before the next begins. A store
   * whose repeated keyed put writes the same object (local disk) need not call it for keyed puts.
   */
  onPart?: (part: StoredPart, index: number) => Promise<void>;
  /**
   * Of the refs in `done`, those a stored file record points at. A put that cannot resume and starts
   * over deletes the earlier attempt's parts except these; without this check it deletes none.
   */
  referenced?: (refs: readonly string[]) => Promise<ReadonlySet<string>>;
}

/**
 * Where media bytes live. A file is an ordered list of parts; `read` serves any byte range across them
 * as one stream (destroying it cancels outstanding work).
 */
export interface MediaStore {
  readonly kind: StorageKind;
  /** Stores the file at `path` (split into parts when needed) and returns its parts. */
  put(path: string, name: string, options?: PutOptions): Promise<StoredPart[]>;
  /** Bytes `start..endInclusive` of the file made of `parts`. */
  read(parts: readonly StoredPart[], start: number, endInclusive: number): Readable;
  /** Whether a part's bytes are still there. */
  exists(part: StoredPart): Promise<boolean>;
  /** Removes a part; removing one that is already gone is not an error. */
  delete(ref: string): Promise<void>;
}

/** Injection token of the configured store (STORAGE=local|telegram). */
export const MEDIA_STORE = Symbol('MEDIA_STORE');

/** The store cannot serve right now (Telegram flood limits, I/O errors): HTTP 503. */
export class StorageUnavailableError extends Error {
  override name = 'StorageUnavailableError';
}

/** Stored bytes the library points at are gone: HTTP 502. */
export class StoredObjectMissingError extends Error {
  override name = 'StoredObjectMissingError';
}
