import { Global, Module } from '@nestjs/common';
import { RedisClient } from './redis-client.js';
import { RedisMutex } from './redis-mutex.js';

@Global()
@Module({
  providers: [RedisClient, RedisMutex],
  exports: [RedisClient, RedisMutex],
})
export class RedisModule {}
