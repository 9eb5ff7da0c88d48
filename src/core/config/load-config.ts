import { resolve } from 'node:path';
import { plainToInstance } from 'class-transformer';
import { type ValidationError, validateSync } from 'class-validator';
import { ConnectionString } from 'mongodb-connection-string-url';
import { parseRoles, RoleParseError } from '../../app/roles.js';
import {
  type AllowedHost,
  type AppConfig,
  type LogLevel,
  type NodeEnv,
  type StorageKind,
} from './app-config.js';
import { ConfigError } from './config-error.js';
import { Environment, NUMERIC_VARIABLES, OPTIONAL_VARIABLES } from './environment.js';
import { describeFsError } from '../data-dir/writable-directory.js';
import { loadOrCreateSecretKey, SecretKeyFileError } from './secret-key.js';
import { parseProxyEntry } from '../tenancy/tenant-host.js';

type Env = Record<string, string | undefined>;

/** Never echoed back in error messages. */
const SECRET_VARIABLES = new Set([
  'SECRET_KEY',
  'ADMIN_PASSWORD',
  'STREAM_SECRET',
  'TMDB_API_KEY',
  'TELEGRAM_API_HASH',
  'TELEGRAM_SESSIONS',
  'TELEGRAM_BOT_TOKENS',
  'TELEGRAM_BOT_TOKEN',
  'TELEGRAM_WEBHOOK_SECRET',
  'SATELLITE_PRIVATE_KEY',
]);

/** Reads the environment once into a frozen `AppConfig`; every problem found is reported together. */
export function loadConfig(env: Env = process.env): AppConfig {
  const problems: string[] = [];
  const raw = readEnvironment(env, problems);
  const environment = plainToInstance(Environment, raw);
  problems.push(...validateSync(environment, { forbidUnknownValues: true }).flatMap(describe));

  let roles: AppConfig['roles'] = [];
  try {
    roles = parseRoles(environment.ROLE);
  } catch (error) {
    if (!(error instanceof RoleParseError)) throw error;
    problems.push(error.message);
  }
  const mongoProblem = checkMongoUri(environment.MONGODB_URI);
  if (mongoProblem) problems.push(mongoProblem);
  const redisProblem = checkRedisUrl(environment.REDIS_URL);
  if (redisProblem) problems.push(redisProblem);
  const allowHosts = parseAllowHosts(environment.INGEST_ALLOW_HOSTS, problems);
  const torrentDirect = parseTorrentDirect(environment.INGEST_TORRENT_DIRECT, problems);
  const trustedProxies = parseTrustedProxies(environment.TRUSTED_PROXIES, problems);
  if (!environment.SECRET_KEY && environment.NODE_ENV === 'production') {
    problems.push(
      'SECRET_KEY: required when NODE_ENV=production (at least 32 characters; try: openssl rand -hex 32)',
    );
  }
  if (environment.STORAGE === 'telegram') problems.push(...telegramProblems(environment));
  if (environment.TELEGRAM_WEBHOOK_URL && !environment.TELEGRAM_WEBHOOK_SECRET) {
    problems.push('TELEGRAM_WEBHOOK_SECRET: required when TELEGRAM_WEBHOOK_URL is set');
  }
  if (problems.length > 0) throw new ConfigError(problems);

  const dataDir = resolve(environment.DATA_DIR);
  let secretKey = environment.SECRET_KEY;
  if (!secretKey) {
    try {
      secretKey = loadOrCreateSecretKey(dataDir);
    } catch (error) {
      if (error instanceof SecretKeyFileError)
        throw new ConfigError([`SECRET_KEY: unset, and ${error.message}`]);
      throw new ConfigError([
        `DATA_DIR: cannot keep a generated SECRET_KEY in ${dataDir} (${describeFsError(error)}); make it writable or set SECRET_KEY`,
      ]);
    }
  }
  const config: AppConfig = {
    nodeEnv: environment.NODE_ENV as NodeEnv,
    roles,
    http: {
      host: environment.HOST,
      port: environment.PORT,
      publicUrl: (environment.PUBLIC_URL ?? `http://localhost:${environment.PORT}`).replace(/\/+$/, ''),
    },
    mongo: { uri: environment.MONGODB_URI },
    redis: { url: environment.REDIS_URL, prefix: environment.REDIS_PREFIX },
    dataDir,
    storage: environment.STORAGE as StorageKind,
    logLevel: environment.LOG_LEVEL as LogLevel,
    secretKey,
    stream: {
      secret: environment.STREAM_SECRET ?? secretKey,
      signedUrlTtlSeconds: environment.SIGNED_URL_TTL,
      prefetchBlocks: environment.STREAM_PREFETCH_BLOCKS,
      maxPerSession: environment.STREAM_MAX_PER_SESSION,
      sendTimeoutMs: environment.STREAM_SEND_TIMEOUT * 1000,
      localReadsOnLoop: environment.LOCAL_READS_ON_LOOP as AppConfig['stream']['localReadsOnLoop'],
    },
    telegram: {
      partSize: environment.TELEGRAM_PART_SIZE * 1024 * 1024,
      apiId: environment.TELEGRAM_API_ID,
      apiHash: environment.TELEGRAM_API_HASH,
      sessions: list(environment.TELEGRAM_SESSIONS),
      botTokens: list(environment.TELEGRAM_BOT_TOKENS),
      storageChannel: environment.TELEGRAM_STORAGE_CHANNEL,
    },
    readvault: {
      cacheBytes: environment.READVAULT_CACHE_MB * 1024 * 1024,
      maxPageBytes: environment.READVAULT_MAX_PAGE_MB * 1024 * 1024,
    },
    music: {
      transcodeConcurrency: environment.TRANSCODE_CONCURRENCY,
      transcodeCacheBytes: environment.TRANSCODE_CACHE_MB * 1024 * 1024,
      coverCacheBytes: environment.COVER_CACHE_MB * 1024 * 1024,
      transcodeQueueWaitMs: environment.TRANSCODE_QUEUE_WAIT_MS,
      changeLogLength: environment.MUSIC_CHANGE_LOG_LENGTH,
    },
    catalog: { commonWordTitles: environment.CATALOG_COMMON_WORD_TITLES },
    ingest: {
      allowHosts,
      torrentDirect,
      maxFileBytes: environment.INGEST_MAX_FILE_SIZE * 1024 * 1024,
      maxActivePerUser: environment.INGEST_MAX_ACTIVE_PER_USER,
      maxBytesPerDay: environment.INGEST_MAX_BYTES_PER_DAY * 1024 * 1024,
      minFreeDiskBytes: environment.INGEST_MIN_FREE_DISK * 1024 * 1024,
      reconcileIntervalSeconds: environment.INGEST_RECONCILE_INTERVAL_SECONDS,
      maxItems: environment.INGEST_MAX_ITEMS,
      itemConcurrency: environment.INGEST_ITEM_CONCURRENCY,
      // A bare name is looked up on PATH; a path is made absolute so a relative one survives cwd.
      ytdlpPath: environment.YTDLP_PATH.includes('/')
        ? resolve(environment.YTDLP_PATH)
        : environment.YTDLP_PATH,
    },
    auth: {
      adminUsername: environment.ADMIN_USERNAME,
      adminPassword: environment.ADMIN_PASSWORD,
      sessionTtlHours: environment.SESSION_TTL_HOURS,
      secureCookies: (environment.PUBLIC_URL ?? '').startsWith('https://'),
    },
    shutdownTimeoutMs: environment.SHUTDOWN_TIMEOUT_MS,
    queue: { stalledAfterMs: environment.QUEUE_STALLED_AFTER_MS },
    heartbeatIntervalSeconds: environment.HEARTBEAT_INTERVAL_SECONDS,
    metadata: {
      tmdbApiKey: environment.TMDB_API_KEY,
      tmdbBaseUrl: environment.TMDB_BASE_URL,
      jikanBaseUrl: environment.JIKAN_BASE_URL,
      tmdbImageBaseUrl: environment.TMDB_IMAGE_BASE_URL.replace(/\/+$/, ''),
    },
    site: {
      guestProgressDays: environment.GUEST_PROGRESS_DAYS,
      satellite: {
        privateKey: environment.SATELLITE_PRIVATE_KEY,
        mirrors: list(environment.SATELLITE_MIRRORS),
        validDays: environment.SATELLITE_VALID_DAYS,
      },
      party: { maxMembers: environment.PARTY_MAX_MEMBERS },
    },
    bot: {
      token: environment.TELEGRAM_BOT_TOKEN,
      apiRoot: environment.TELEGRAM_API_ROOT.replace(/\/+$/, ''),
      authorizedChats: list(environment.BOT_AUTHORIZED_CHATS).map(Number),
      adminIds: list(environment.BOT_ADMIN_IDS).map(Number),
      adminChannel:
        environment.BOT_ADMIN_CHANNEL === undefined || environment.BOT_ADMIN_CHANNEL.startsWith('@')
          ? environment.BOT_ADMIN_CHANNEL
          : Number(environment.BOT_ADMIN_CHANNEL),
      webhook:
        environment.TELEGRAM_WEBHOOK_URL && environment.TELEGRAM_WEBHOOK_SECRET
          ? { url: environment.TELEGRAM_WEBHOOK_URL, secret: environment.TELEGRAM_WEBHOOK_SECRET }
          : undefined,
      statusIntervalSeconds: environment.STATUS_INTERVAL,
      limits: {
        commandsPerMinute: environment.BOT_COMMANDS_PER_MINUTE,
        loginsPer10Minutes: environment.BOT_LOGINS_PER_10_MINUTES,
      },
    },
    tenancy: {
      trustedProxies,
      unknownHost: environment.TENANT_UNKNOWN_HOST as AppConfig['tenancy']['unknownHost'],
    },
  };
  return deepFreeze(config);
}

/** Takes only the variables we know; empty strings count as unset so `PORT=` means the default. */
function readEnvironment(env: Env, problems: string[]): Record<string, unknown> {
  const defaults = new Environment();
  const raw: Record<string, unknown> = {};
  for (const key of [...(Object.keys(defaults) as (keyof Environment)[]), ...OPTIONAL_VARIABLES]) {
    const value = env[key]?.trim();
    if (value === undefined || value === '') continue;
    if (NUMERIC_VARIABLES.has(key)) {
      if (!/^\d+$/.test(value)) {
        problems.push(`${key}: must be a whole number (got "${SECRET_VARIABLES.has(key) ? '***' : value}")`);
        continue;
      }
      raw[key] = Number(value);
    } else {
      raw[key] = value;
    }
  }
  return raw;
}

/** `dht` and `lpd`, the only torrent traffic an operator may let past the guarded proxy. */
function parseTorrentDirect(value: string, problems: string[]): AppConfig['ingest']['torrentDirect'] {
  const entries = list(value).map((entry) => entry.toLowerCase());
  for (const entry of entries) {
    if (entry !== 'dht' && entry !== 'lpd') {
      problems.push(`INGEST_TORRENT_DIRECT: "${entry}" is not one of dht, lpd`);
    }
  }
  return { dht: entries.includes('dht'), lpd: entries.includes('lpd') };
}

function list(value: string): string[] {
  return value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
}

function telegramProblems(environment: Environment): string[] {
  const problems: string[] = [];
  for (const key of ['TELEGRAM_API_ID', 'TELEGRAM_API_HASH', 'TELEGRAM_STORAGE_CHANNEL'] as const) {
    if (environment[key] === undefined) problems.push(`${key}: required when STORAGE=telegram`);
  }
  if (list(environment.TELEGRAM_SESSIONS).length + list(environment.TELEGRAM_BOT_TOKENS).length === 0) {
    problems.push(
      'TELEGRAM_SESSIONS / TELEGRAM_BOT_TOKENS: STORAGE=telegram needs at least one session or bot token',
    );
  }
  return problems;
}

function describe(error: ValidationError): string[] {
  const got =
    typeof error.value === 'string' || typeof error.value === 'number' ? ` (got "${error.value}")` : '';
  const shown = SECRET_VARIABLES.has(error.property) ? '' : got;
  return Object.values(error.constraints ?? {}).map((message) => {
    const text = message.startsWith(error.property) ? message.slice(error.property.length + 1) : message;
    return `${error.property}: ${text}${shown}`;
  });
}

function checkMongoUri(uri: string): string | undefined {
  if (!/^mongodb(\+srv)?:\/\//.test(uri)) {
    return `MONGODB_URI: must start with mongodb:// or mongodb+srv:// (got "${redactUri(uri)}")`;
  }
  try {
    new ConnectionString(uri);
    return undefined;
  } catch (error) {
    return `MONGODB_URI: ${(error as Error).message} (got "${redactUri(uri)}")`;
  }
}

/**
 * What ioredis and BullMQ will be given must parse: a port of 1-65535 and a database number 0-15 (a
 * path like `/abc` became `SELECT NaN`, which crashed a worker after boot).
 */
function checkRedisUrl(value: string): string | undefined {
  if (!/^rediss?:\/\//.test(value)) return undefined; // the pattern check says so already
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `REDIS_URL: not a valid URL (got "${redactUri(value)}")`;
  }
  if (!url.hostname) return `REDIS_URL: has no host (got "${redactUri(value)}")`;
  if (!/^(\/(\d|1[0-5])?)?$/.test(url.pathname)) {
    return `REDIS_URL: the path is the database number, 0 to 15 (got "${redactUri(value)}")`;
  }
  return undefined;
}

/** Hides a password so a config error never prints credentials. */
function redactUri(uri: string): string {
  return uri.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
}

function parseAllowHosts(value: string, problems: string[]): AllowedHost[] {
  const hosts: AllowedHost[] = [];
  for (const entry of value.split(',').map((part) => part.trim().toLowerCase())) {
    if (entry === '') continue;
    const match = /^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(?::(\d{1,5}))?$/.exec(entry);
    const port = match?.[2] === undefined ? undefined : Number(match[2]);
    if (!match || (port !== undefined && (port < 1 || port > 65535))) {
      problems.push(`INGEST_ALLOW_HOSTS: "${entry}" is not a host or host:port`);
      continue;
    }
    hosts.push({ host: match[1].replace(/^\[|\]$/g, ''), port });
  }
  return hosts;
}

function parseTrustedProxies(value: string, problems: string[]): string[] {
  const entries = list(value);
  for (const entry of entries) {
    try {
      parseProxyEntry(entry);
    } catch (error) {
      problems.push(`TRUSTED_PROXIES: ${(error as Error).message}`);
    }
  }
  return entries;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
