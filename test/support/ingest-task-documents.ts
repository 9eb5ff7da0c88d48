import { randomUUID } from 'node:crypto';
import { type Connection } from 'mongoose';

/**
 * Writes an ingest task straight into `ingest_tasks`, as a worker (or an older version) would have left
 * it: a queued http task of a test requester, with `fields` on top. Returns its id.
 */
export async function insertTaskDocument(
  mongo: Connection,
  fields: Record<string, unknown>,
): Promise<string> {
  const id = randomUUID();
  await mongo.collection('ingest_tasks').insertOne({
    _id: id as never,
    source: `http://example.invalid/${id}.mkv`,
    sourceKey: `http://example.invalid/${id}.mkv`,
    sourceKind: 'http',
    requester: { id: 'user-1', name: 'someone' },
    state: 'queued',
    attempts: 0,
    transitions: [],
    createdAt: new Date(),
    updatedAt: new Date(),
    ...fields,
  });
  return id;
}
