import { Global, Module } from '@nestjs/common';
import { RateLimiter } from './rate-limiter.js';
import { RateLimitGuard } from './rate-limit.guard.js';

@Global()
@Module({
  providers: [RateLimiter, RateLimitGuard],
  exports: [RateLimiter, RateLimitGuard],
})
export class RateLimitModule {}
