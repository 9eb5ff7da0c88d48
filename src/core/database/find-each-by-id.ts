import { type Model, type Types } from 'mongoose';

/**
 * Documents by id, one `_id` lookup each, in parallel, in the order given (missing ones skipped).
 * Upstream FerretDB answers `_id: {$in}` with a full table scan (on PostgreSQL still; on SQLite our
 * patched build answers both shapes from the `_id` index: scripts/lib/ferretdb.mjs); one lookup per id
 * is fast on every backend, MongoDB included. For short lists.
 */
export async function findEachById<T>(model: Model<T>, ids: readonly Types.ObjectId[]): Promise<T[]> {
  const found = await Promise.all(ids.map((id) => model.findById(id).lean<T>().exec()));
  return found.filter((doc): doc is NonNullable<typeof doc> => doc !== null) as T[];
}
