import { isIPv6 } from 'node:net';
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
    // req.ip is the client as the app's `trust proxy` setting reads it (the proxy's X-Forwarded-For).
    // Every key counts an IPv6 client by its /64: one client may use any address in it.
    const address = addressKey(req.ip ?? '');
    const who =
      rule.per === 'address+username'
        ? `ip:${address}:user:${bodyUsername(req.body)}`
        : (req.identity?.id ?? `ip:${address}`);
    const windowMs = rule.windowSeconds * 1000;
    const result = await this.limiter.hit(`${rule.name}:${who}`, rule.limit, windowMs);
    if (!result.allowed) this.refuse(context, rule, rule.limit, result.retryAfterSeconds);
    if (rule.perAddress !== undefined) {
      const all = await this.limiter.hit(`${rule.name}:address:${address}`, rule.perAddress, windowMs);
      if (!all.allowed) this.refuse(context, rule, rule.perAddress, all.retryAfterSeconds);
    }
    if (rule.guestsPerAddress !== undefined && req.identity?.kind === 'guest') {
      const shared = await this.limiter.hit(
        `${rule.name}:guests-of:${address}`,
        rule.guestsPerAddress,
        windowMs,
      );
      if (!shared.allowed) this.refuse(context, rule, rule.guestsPerAddress, shared.retryAfterSeconds);
    }
    return true;
  }

  private refuse(
    context: ExecutionContext,
    rule: RateLimitRule,
    limit: number,
    retryAfterSeconds: number,
  ): never {
    context.switchToHttp().getResponse<Response>().setHeader('Retry-After', String(retryAfterSeconds));
    throw new AppError(
      429,
      'too_many_requests',
      `Too many requests: at most ${limit} per ${rule.windowSeconds} s. Retry in ${retryAfterSeconds} s.`,
    );
  }
}

/**
 * The address a client's requests count under: an IPv4 address as it is, an IPv6 one by its /64 (one
 * home or phone is given a whole /64, so its single addresses cost nothing).
 */
export function addressKey(ip: string): string {
  const v4 = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (v4) return v4[1];
  if (!isIPv6(ip)) return ip;
  const [head, tail = ''] = ip.toLowerCase().split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = ip.includes('::')
    ? [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right]
    : left;
  return `${groups
    .slice(0, 4)
    .map((group) => group.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
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
