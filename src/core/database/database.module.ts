import { Global, Module } from '@nestjs/common';
import { MigrationMarks } from './migration-marks.repository.js';
import { MongoConnection } from './mongo-connection.js';

@Global()
@Module({
  providers: [MongoConnection, MigrationMarks],
  exports: [MongoConnection, MigrationMarks],
})
export class DatabaseModule {}
