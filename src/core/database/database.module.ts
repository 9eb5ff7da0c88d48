import { Global, Module } from '@nestjs/common';
import { MongoConnection } from './mongo-connection.js';

@Global()
@Module({
  providers: [MongoConnection],
  exports: [MongoConnection],
})
export class DatabaseModule {}
