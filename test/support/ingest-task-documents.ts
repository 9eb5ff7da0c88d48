import { randomUUID } from 'node:crypto';
import mongoose, { type Connection } from 'mongoose';
import { startTestDatabase } from './database.js';
import { type InProcessApp, startInProcessApp } from './in-process-app.js';

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

/** A manager whose tasks the test writes and moves itself: no worker, and no reconciler round on a timer. */
export interface TaskManager {
  server: InProcessApp;
  /** A connection of the test's own, to write and read task documents directly. */
  mongo: Connection;
  stop: () => Promise<void>;
}

export async function startTaskManager(): Promise<TaskManager> {
  const db = await startTestDatabase();
  const server = await startInProcessApp({
    MONGODB_URI: db.uri,
    ROLE: 'manager',
    INGEST_RECONCILE_INTERVAL_SECONDS: '0',
  });
  const mongo = await mongoose.createConnection(db.uri).asPromise();
  return {
    server,
    mongo,
    stop: async () => {
      await mongo.close();
      await server.close();
      await db.stop();
    },
  };
}
