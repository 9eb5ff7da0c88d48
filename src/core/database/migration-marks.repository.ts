import { Injectable } from '@nestjs/common';
import { type Model, Schema } from 'mongoose';
import { isDuplicateKeyError, MongoConnection } from './mongo-connection.js';

interface MigrationMark {
  _id: string;
  doneAt: Date;
}

const migrationMarkSchema = new Schema<MigrationMark>(
  { _id: { type: String, required: true }, doneAt: { type: Date, required: true } },
  { collection: 'migrations', versionKey: false },
);

/**
 * The `migrations` collection: one document per one-time data migration that has finished, so a boot
 * asks with one `_id` read instead of scanning the data again.
 */
@Injectable()
export class MigrationMarks {
  private readonly model: Model<MigrationMark>;

  constructor(mongo: MongoConnection) {
    this.model = mongo.connection.model<MigrationMark>('MigrationMark', migrationMarkSchema);
  }

  async isDone(name: string): Promise<boolean> {
    return (await this.model.exists({ _id: name }).exec()) !== null;
  }

  async markDone(name: string): Promise<void> {
    try {
      await this.model.create({ _id: name, doneAt: new Date() });
    } catch (error) {
      // Another manager finished it too.
      if (!isDuplicateKeyError(error)) throw error;
    }
  }
}
