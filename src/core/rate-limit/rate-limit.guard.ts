import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { type Request, type Response } from 'express';
import { AppError } from '../errors/app-error.js';
import { type IdentifiedRequest } from '../identity/identity.js';
import { RATE_LIMIT_METADATA, type RateLimitRule } from './rate-limit.decorator.js';
import { RateLimiter } from './rate-limiter.js';

/** Enforces `@RateLimit` rules; answers 429 with `Retry-After` when a bucket is full. */
@Injectable()
export class RateLimitGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly limiter: RateLimiter,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const rule = this.reflector.getAllAndOverride<RateLimitRule | undefined>(RATE_LIMIT_METADATA, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (!rule) return true;
    const req = context.switchToHttp().getRequest<Request & IdentifiedRequest>();
    const who =
      rule.per === 'address+username'
        ? `ip:${req.ip}:user:${bodyUsername(req.body)}`
        : (req.identity?.id ?? `ip:${req.ip}`);
    const windowMs = rule.windowSeconds * 1000;
    let result = await this.limiter.hit(`${rule.name}:${who}`, rule.limit, windowMs);
    let limit = rule.limit;
    if (result.allowed && rule.perAddress !== undefined) {
      result = await this.limiter.hit(`${rule.name}:address:${req.ip}`, rule.perAddress, windowMs);
      limit = rule.perAddress;
    }
    if (result.allowed) return true;
    context.switchToHttp().getResponse<Response>().setHeader('Retry-After', String(result.retryAfterSeconds));
    throw new AppError(
      429,
      'too_many_requests',
      `Too many requests: at most ${limit} per ${rule.windowSeconds} s. Retry in ${result.retryAfterSeconds} s.`,
    );
  }
}

/**
 * The username a sign-in body names, as the limiter keys it. Guards run before validation, so the
 * body may hold anything (an object whose toString is not callable made String() throw): only text
 * counts, cut to a username's longest.
 */
function bodyUsername(body: unknown): string {
  const username = (body as { username?: unknown } | undefined)?.username;
  return typeof username === 'string' ? username.slice(0, 64).toLowerCase() : '';
}
