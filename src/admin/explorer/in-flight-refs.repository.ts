import { Injectable } from '@nestjs/common';
import { MongoConnection } from '../../core/database/mongo-connection.js';

interface Refs {
  uploadedParts?: { ref: string }[];
  storedParts?: { ref: string }[];
  storedArtifacts?: { screenshots?: { ref: string }[]; sample?: { ref: string } };
}

/** A task's stored objects are on its items; tasks from before items had them on the task itself. */
type TaskRefs = Refs & { items?: Refs[] };

/**
 * Objects ingest tasks have stored but the library may not reference yet (an upload in progress, or a
 * failed item whose retry reuses its stored parts). Read-only, straight from `ingest_tasks`, so the
 * explorer never calls them orphans.
 */
@Injectable()
export class InFlightRefsRepository {
  constructor(private readonly mongo: MongoConnection) {}

  /** Whether an ingest task holds this stored object (one query, not a walk of every task). */
  async has(ref: string): Promise<boolean> {
    const paths = [
      'uploadedParts.ref',
      'storedParts.ref',
      'storedArtifacts.screenshots.ref',
      'storedArtifacts.sample.ref',
    ];
    const filter = { $or: paths.flatMap((path) => [{ [path]: ref }, { [`items.${path}`]: ref }]) };
    return (
      (await this.mongo.connection.collection('ingest_tasks').findOne(filter, { projection: { _id: 1 } })) !==
      null
    );
  }

  async refs(): Promise<Set<string>> {
    const refs = new Set<string>();
    const cursor = this.mongo.connection.collection<TaskRefs>('ingest_tasks').find(
      {
        $or: [
          { items: { $exists: true } },
          { uploadedParts: { $exists: true } },
          { storedParts: { $exists: true } },
          { storedArtifacts: { $exists: true } },
        ],
      },
      { projection: { items: 1, uploadedParts: 1, storedParts: 1, storedArtifacts: 1 } },
    );
    for await (const task of cursor) {
      for (const holder of [task, ...(task.items ?? [])]) {
        for (const part of [
          ...(holder.uploadedParts ?? []),
          ...(holder.storedParts ?? []),
          ...(holder.storedArtifacts?.screenshots ?? []),
          ...(holder.storedArtifacts?.sample ? [holder.storedArtifacts.sample] : []),
        ]) {
          if (part?.ref) refs.add(part.ref);
        }
      }
    }
    return refs;
  }
}
