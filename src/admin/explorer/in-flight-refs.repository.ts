import { Injectable } from '@nestjs/common';
import { MongoConnection } from '../../core/database/mongo-connection.js';

interface TaskRefs {
  uploadedParts?: { ref: string }[];
  storedParts?: { ref: string }[];
  storedArtifacts?: { screenshots?: { ref: string }[]; sample?: { ref: string } };
}

/**
 * Objects ingest tasks have stored but the library may not reference yet (an upload in progress, or a
 * failed task whose retry reuses its stored parts). Read-only, straight from `ingest_tasks`, so the
 * explorer never calls them orphans.
 */
@Injectable()
export class InFlightRefsRepository {
  constructor(private readonly mongo: MongoConnection) {}

  async refs(): Promise<Set<string>> {
    const refs = new Set<string>();
    const cursor = this.mongo.connection.collection<TaskRefs>('ingest_tasks').find(
      {
        $or: [
          { uploadedParts: { $exists: true } },
          { storedParts: { $exists: true } },
          { storedArtifacts: { $exists: true } },
        ],
      },
      { projection: { uploadedParts: 1, storedParts: 1, storedArtifacts: 1 } },
    );
    for await (const task of cursor) {
      for (const part of [
        ...(task.uploadedParts ?? []),
        ...(task.storedParts ?? []),
        ...(task.storedArtifacts?.screenshots ?? []),
        ...(task.storedArtifacts?.sample ? [task.storedArtifacts.sample] : []),
      ]) {
        if (part?.ref) refs.add(part.ref);
      }
    }
    return refs;
  }
}
