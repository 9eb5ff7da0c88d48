import { createHash, timingSafeEqual } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { type AppPasswordIdentity, AppPasswordAuth } from '../../auth/app-passwords/app-password-auth.js';
import { RedisClient } from '../../core/redis/redis-client.js';
import { RateLimiter } from '../../core/rate-limit/rate-limiter.js';
import { type SubsonicParams } from './subsonic-params.js';
import { SubsonicError, SubsonicErrorCode } from './subsonic-response.js';
import { addressKey } from '../../core/rate-limit/rate-limit.guard.js';

/** Wrong credentials allowed per user and address in the window; then every attempt is refused until it passes. */
const FAILURES_ALLOWED = 10;
/**
 * Wrong passwords or API keys allowed per address in the window, whatever user they name: those find
 * their owner from the secret itself, so a guesser could otherwise take a fresh per-user allowance by
 * naming another user each try. Higher than the per-user one, for people sharing an address.
 */
const ADDRESS_FAILURES_ALLOWED = 30;
const FAILURE_WINDOW_MS = 10 * 60 * 1000;

/** A count of wrong attempts and how many it allows. */
interface FailureLimit {
  who: string;
  allowed: number;
}

/**
 * Subsonic authentication, always with an app password (never the account password): `u`+`p`
 * (clear or `enc:` hex), `u`+`t`+`s` (t = md5(password + salt), checked against the sealed clear
 * values), or OpenSubsonic `apiKey`. Wrong credentials are rate-limited per user and address, and
 * wrong passwords and keys also per address.
 */
@Injectable()
export class SubsonicAuth {
  constructor(
    private readonly appPasswords: AppPasswordAuth,
    private readonly limiter: RateLimiter,
    private readonly redis: RedisClient,
  ) {}

  async authenticate(params: SubsonicParams, clientIp: string): Promise<AppPasswordIdentity> {
    const credentials = credentialsOf(params);
    // An IPv6 client counts by its /64, as for every other limit: it may use any address in it.
    const ip = addressKey(clientIp);
    if (credentials.kind === 'apiKey') {
      const { apiKey } = credentials;
      return this.guarded(
        [
          { who: `key:${apiKey.slice(0, 32)}:${ip}`, allowed: FAILURES_ALLOWED },
          { who: `address:${ip}`, allowed: ADDRESS_FAILURES_ALLOWED },
        ],
        SubsonicErrorCode.InvalidApiKey,
        'Invalid API key',
        () => this.appPasswords.verify(apiKey),
      );
    }
    const { username } = credentials;
    const perUser = { who: `user:${username.toLowerCase()}:${ip}`, allowed: FAILURES_ALLOWED };
    return this.guarded(
      credentials.kind === 'password'
        ? [perUser, { who: `address:${ip}`, allowed: ADDRESS_FAILURES_ALLOWED }]
        : [perUser],
      SubsonicErrorCode.WrongCredentials,
      'Wrong username or password',
      async () => {
        if (credentials.kind === 'password') {
          return namedAs(await this.appPasswords.verify(credentials.password), username);
        }
        const { token, salt } = credentials;
        return this.appPasswords.verifyClear(
          username,
          (clear) => sameHex(md5(clear + salt), token),
          presentedToken(credentials),
        );
      },
    );
  }

  /**
   * The identity of credentials this process verified within the last minute, or undefined (then
   * `authenticate` must run): what the raw-bytes fast path accepts.
   */
  async remembered(params: SubsonicParams): Promise<AppPasswordIdentity | undefined> {
    let credentials: SubsonicCredentials;
    try {
      credentials = credentialsOf(params);
    } catch {
      return undefined;
    }
    switch (credentials.kind) {
      case 'apiKey':
        return this.appPasswords.remembered(credentials.apiKey);
      case 'password':
        return namedAs(await this.appPasswords.remembered(credentials.password), credentials.username);
      case 'token':
        return this.appPasswords.rememberedClear(credentials.username, presentedToken(credentials));
    }
  }

  /** Refuses while any of `limits` is used up; a wrong attempt counts against each of them. */
  private async guarded(
    limits: FailureLimit[],
    code: SubsonicErrorCode,
    message: string,
    check: () => Promise<AppPasswordIdentity | undefined>,
  ): Promise<AppPasswordIdentity> {
    const blocked = Math.max(
      ...(await Promise.all(limits.map(({ who }) => this.redis.client.pttl(blockKeyOf(who))))),
    );
    if (blocked > 0) {
      throw new SubsonicError(code, `Too many wrong attempts; try again in ${Math.ceil(blocked / 1000)} s`);
    }
    const identity = await check();
    if (identity) return identity;
    await Promise.all(
      limits.map(async ({ who, allowed }) => {
        const hit = await this.limiter.hit(`subsonic-auth:${who}`, allowed, FAILURE_WINDOW_MS);
        if (hit.allowed && hit.remaining > 0) return;
        await this.redis.client.set(
          blockKeyOf(who),
          '1',
          'PX',
          hit.allowed ? FAILURE_WINDOW_MS : hit.retryAfterSeconds * 1000,
        );
      }),
    );
    throw new SubsonicError(code, message);
  }
}

function blockKeyOf(who: string): string {
  return `subsonic:auth-blocked:${who}`;
}

/** What a request presents: an OpenSubsonic key, a user's password, or a user's token and salt. */
type SubsonicCredentials =
  | { kind: 'apiKey'; apiKey: string }
  | { kind: 'password'; username: string; password: string }
  | { kind: 'token'; username: string; token: string; salt: string };

/** The request's credentials (`p` before `t`+`s`); Subsonic errors 43 / 10 when conflicting or missing. */
function credentialsOf(params: SubsonicParams): SubsonicCredentials {
  const apiKey = params.string('apiKey');
  const username = params.string('u');
  if (apiKey !== undefined) {
    if (username !== undefined) {
      throw new SubsonicError(
        SubsonicErrorCode.ConflictingAuth,
        'Multiple conflicting authentication mechanisms provided',
      );
    }
    return { kind: 'apiKey', apiKey };
  }
  if (!username)
    throw new SubsonicError(SubsonicErrorCode.MissingParameter, 'Required parameter is missing: u');
  const password = params.string('p');
  if (password !== undefined) return { kind: 'password', username, password: decodePassword(password) };
  const token = params.string('t');
  const salt = params.string('s');
  if (token === undefined || salt === undefined) {
    throw new SubsonicError(
      SubsonicErrorCode.MissingParameter,
      'Required parameter is missing: p, or t and s',
    );
  }
  return { kind: 'token', username, token: token.toLowerCase(), salt };
}

/** How a token is remembered once verified: it is only good with its salt. */
function presentedToken({ token, salt }: { token: string; salt: string }): string {
  return `${token}:${salt}`;
}

/** The identity, when it is the account the request named (`u`). */
function namedAs(
  identity: AppPasswordIdentity | undefined,
  username: string,
): AppPasswordIdentity | undefined {
  return identity && identity.name.toLowerCase() === username.toLowerCase() ? identity : undefined;
}

/** `enc:` + hex of the UTF-8 password, as old clients send it. */
function decodePassword(password: string): string {
  if (!password.startsWith('enc:')) return password;
  const hex = password.slice(4);
  return /^([0-9a-f]{2})*$/i.test(hex) ? Buffer.from(hex, 'hex').toString('utf8') : password;
}

function md5(text: string): string {
  return createHash('md5').update(text, 'utf8').digest('hex');
}

function sameHex(a: string, b: string): boolean {
  return a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
}
