import {
  IsIn,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  Max,
  Min,
  MinLength,
} from 'class-validator';
import {
  TELEGRAM_CHANNEL,
  TELEGRAM_CHAT_ID_LIST,
  TELEGRAM_USER_ID_LIST,
} from '../validation/telegram-chat-id.js';

export const NODE_ENVS = ['production', 'development', 'test'] as const;
export const STORAGE_KINDS = ['local', 'telegram'] as const;
export const UNKNOWN_HOST_POLICIES = ['default', 'reject'] as const;
export const LOCAL_READS_ON_LOOP = ['auto', 'off'] as const;
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/**
 * The process environment as the app reads it, before it becomes the typed `AppConfig`. Every field
 * here is documented with its default in `.env.example`.
 */
export class Environment {
  @IsIn(NODE_ENVS)
  NODE_ENV: string = 'production';

  @IsString()
  ROLE: string = 'all';

  @IsInt({ message: 'must be an integer between 1 and 65535' })
  @Min(1, { message: 'must be an integer between 1 and 65535' })
  @Max(65535, { message: 'must be an integer between 1 and 65535' })
  PORT: number = 8080;

  @IsString()
  @IsNotEmpty()
  HOST: string = '0.0.0.0';

  @IsOptional()
  @IsUrl(
    { require_tld: false, protocols: ['http', 'https'], require_protocol: true },
    {
      message: 'must be an absolute http(s) URL such as https://media.example.com',
    },
  )
  PUBLIC_URL?: string;

  @IsString()
  MONGODB_URI: string = 'mongodb://127.0.0.1:27017/streamvault';

  @Matches(/^rediss?:\/\/[^\s]+$/, { message: 'must be a redis:// or rediss:// URL' })
  REDIS_URL: string = 'redis://127.0.0.1:6379';

  @Matches(/^[A-Za-z0-9:_-]{1,64}$/, {
    message: 'must be 1-64 characters of letters, digits, ":", "_" or "-"',
  })
  REDIS_PREFIX: string = 'sv';

  @IsString()
  @IsNotEmpty()
  DATA_DIR: string = './data';

  @IsIn(STORAGE_KINDS)
  STORAGE: string = 'local';

  @IsIn(LOG_LEVELS)
  LOG_LEVEL: string = 'info';

  @IsOptional()
  @IsString()
  @MinLength(32, { message: 'must be at least 32 characters (try: openssl rand -hex 32)' })
  SECRET_KEY?: string;

  @IsString()
  INGEST_ALLOW_HOSTS: string = '';

  @IsString()
  INGEST_TORRENT_DIRECT: string = '';

  @IsInt({ message: 'must be a whole number of MiB between 1 and 1048576' })
  @Min(1, { message: 'must be a whole number of MiB between 1 and 1048576' })
  @Max(1048576, { message: 'must be a whole number of MiB between 1 and 1048576' })
  INGEST_MAX_FILE_SIZE: number = 20480;

  @IsInt({ message: 'must be a whole number between 1 and 1000' })
  @Min(1, { message: 'must be a whole number between 1 and 1000' })
  @Max(1000, { message: 'must be a whole number between 1 and 1000' })
  INGEST_MAX_ACTIVE_PER_USER: number = 5;

  @IsInt({ message: 'must be a whole number of MiB (0 = no daily quota)' })
  @Min(0, { message: 'must be a whole number of MiB (0 = no daily quota)' })
  INGEST_MAX_BYTES_PER_DAY: number = 0;

  @IsInt({ message: 'must be a whole number of MiB' })
  @Min(0, { message: 'must be a whole number of MiB' })
  INGEST_MIN_FREE_DISK: number = 1024;

  @IsString()
  @IsNotEmpty()
  YTDLP_PATH: string = 'yt-dlp';

  @IsInt({ message: 'must be a whole number between 1 and 100000' })
  @Min(1, { message: 'must be a whole number between 1 and 100000' })
  @Max(100000, { message: 'must be a whole number between 1 and 100000' })
  INGEST_MAX_ITEMS: number = 500;

  @IsInt({ message: 'must be a whole number between 1 and 16' })
  @Min(1, { message: 'must be a whole number between 1 and 16' })
  @Max(16, { message: 'must be a whole number between 1 and 16' })
  INGEST_ITEM_CONCURRENCY: number = 2;

  @IsInt({ message: 'must be a whole number of MiB between 1 and 1048576' })
  @Min(1, { message: 'must be a whole number of MiB between 1 and 1048576' })
  @Max(1048576, { message: 'must be a whole number of MiB between 1 and 1048576' })
  READVAULT_CACHE_MB: number = 512;

  @IsInt({ message: 'must be a whole number of MiB between 1 and 1024' })
  @Min(1, { message: 'must be a whole number of MiB between 1 and 1024' })
  @Max(1024, { message: 'must be a whole number of MiB between 1 and 1024' })
  READVAULT_MAX_PAGE_MB: number = 50;

  @IsInt({ message: 'must be a whole number between 1 and 64' })
  @Min(1, { message: 'must be a whole number between 1 and 64' })
  @Max(64, { message: 'must be a whole number between 1 and 64' })
  TRANSCODE_CONCURRENCY: number = 4;

  @IsInt({ message: 'must be a whole number of MiB between 1 and 1048576' })
  @Min(1, { message: 'must be a whole number of MiB between 1 and 1048576' })
  @Max(1048576, { message: 'must be a whole number of MiB between 1 and 1048576' })
  TRANSCODE_CACHE_MB: number = 1024;

  @IsInt({ message: 'must be a whole number of MiB between 1 and 1048576' })
  @Min(1, { message: 'must be a whole number of MiB between 1 and 1048576' })
  @Max(1048576, { message: 'must be a whole number of MiB between 1 and 1048576' })
  COVER_CACHE_MB: number = 64;

  @IsInt({ message: 'must be a whole number of milliseconds between 0 and 60000' })
  @Min(0, { message: 'must be a whole number of milliseconds between 0 and 60000' })
  @Max(60000, { message: 'must be a whole number of milliseconds between 0 and 60000' })
  TRANSCODE_QUEUE_WAIT_MS: number = 3000;

  @IsInt({ message: 'must be a whole number between 10 and 10000000' })
  @Min(10, { message: 'must be a whole number between 10 and 10000000' })
  @Max(10000000, { message: 'must be a whole number between 10 and 10000000' })
  MUSIC_CHANGE_LOG_LENGTH: number = 50000;

  @IsInt({ message: 'must be a whole number between 1 and 100000000' })
  @Min(1, { message: 'must be a whole number between 1 and 100000000' })
  @Max(100000000, { message: 'must be a whole number between 1 and 100000000' })
  CATALOG_COMMON_WORD_TITLES: number = 4000;

  @Matches(/^[A-Za-z0-9._-]{3,64}$/, { message: 'must be 3-64 letters, digits, ".", "_" or "-"' })
  ADMIN_USERNAME: string = 'admin';

  @IsOptional()
  @IsString()
  @MinLength(8, { message: 'must be at least 8 characters' })
  ADMIN_PASSWORD?: string;

  @IsInt({ message: 'must be a whole number of hours between 1 and 8760' })
  @Min(1, { message: 'must be a whole number of hours between 1 and 8760' })
  @Max(8760, { message: 'must be a whole number of hours between 1 and 8760' })
  SESSION_TTL_HOURS: number = 168;

  @IsOptional()
  @IsString()
  @MinLength(16, { message: 'must be at least 16 characters' })
  STREAM_SECRET?: string;

  @IsInt({ message: 'must be a whole number of seconds between 60 and 604800' })
  @Min(60, { message: 'must be a whole number of seconds between 60 and 604800' })
  @Max(604800, { message: 'must be a whole number of seconds between 60 and 604800' })
  SIGNED_URL_TTL: number = 21600;

  @IsInt({ message: 'must be a whole number between 1 and 32' })
  @Min(1, { message: 'must be a whole number between 1 and 32' })
  @Max(32, { message: 'must be a whole number between 1 and 32' })
  STREAM_PREFETCH_BLOCKS: number = 8;

  @IsInt({ message: 'must be a whole number between 1 and 100' })
  @Min(1, { message: 'must be a whole number between 1 and 100' })
  @Max(100, { message: 'must be a whole number between 1 and 100' })
  STREAM_MAX_PER_SESSION: number = 15;

  @IsInt({ message: 'must be a whole number of seconds between 1 and 3600' })
  @Min(1, { message: 'must be a whole number of seconds between 1 and 3600' })
  @Max(3600, { message: 'must be a whole number of seconds between 1 and 3600' })
  STREAM_SEND_TIMEOUT: number = 60;

  @IsIn(LOCAL_READS_ON_LOOP, { message: 'must be auto or off' })
  LOCAL_READS_ON_LOOP: string = 'auto';

  @IsInt({ message: 'must be a whole number of MiB between 1 and 4000' })
  @Min(1, { message: 'must be a whole number of MiB between 1 and 4000' })
  @Max(4000, { message: 'must be a whole number of MiB between 1 and 4000' })
  TELEGRAM_PART_SIZE: number = 2000;

  @IsOptional()
  @IsInt({ message: 'must be the numeric api_id from my.telegram.org' })
  TELEGRAM_API_ID?: number;

  @IsOptional()
  @Matches(/^[0-9a-f]{32}$/, { message: 'must be the 32-character api_hash from my.telegram.org' })
  TELEGRAM_API_HASH?: string;

  @IsString()
  TELEGRAM_SESSIONS: string = '';

  @IsString()
  TELEGRAM_BOT_TOKENS: string = '';

  @IsOptional()
  @Matches(/^(-100\d{5,}|@[A-Za-z0-9_]{5,32})$/, { message: 'must be a channel id (-100...) or @username' })
  TELEGRAM_STORAGE_CHANNEL?: string;

  @IsInt({ message: 'must be a whole number of milliseconds between 1000 and 60000' })
  @Min(1000, { message: 'must be a whole number of milliseconds between 1000 and 60000' })
  @Max(60000, { message: 'must be a whole number of milliseconds between 1000 and 60000' })
  SHUTDOWN_TIMEOUT_MS: number = 10000;

  @IsInt({ message: 'must be a whole number of milliseconds between 1000 and 600000' })
  @Min(1000, { message: 'must be a whole number of milliseconds between 1000 and 600000' })
  @Max(600000, { message: 'must be a whole number of milliseconds between 1000 and 600000' })
  QUEUE_STALLED_AFTER_MS: number = 15000;

  @IsInt({ message: 'must be a whole number of seconds between 0 (off) and 600' })
  @Min(0, { message: 'must be a whole number of seconds between 0 (off) and 600' })
  @Max(600, { message: 'must be a whole number of seconds between 0 (off) and 600' })
  INGEST_RECONCILE_INTERVAL_SECONDS: number = 15;

  @IsInt({ message: 'must be a whole number of seconds between 1 and 60' })
  @Min(1, { message: 'must be a whole number of seconds between 1 and 60' })
  @Max(60, { message: 'must be a whole number of seconds between 1 and 60' })
  HEARTBEAT_INTERVAL_SECONDS: number = 5;

  @IsOptional()
  @Matches(/^[A-Za-z0-9._-]{16,512}$/, { message: 'must be a TMDB API key (v3 key or v4 read token)' })
  TMDB_API_KEY?: string;

  @IsUrl(
    { require_tld: false, protocols: ['http', 'https'], require_protocol: true },
    { message: 'must be an absolute http(s) URL' },
  )
  TMDB_BASE_URL: string = 'https://api.themoviedb.org/3';

  @IsUrl(
    { require_tld: false, protocols: ['http', 'https'], require_protocol: true },
    { message: 'must be an absolute http(s) URL' },
  )
  JIKAN_BASE_URL: string = 'https://api.jikan.moe/v4';

  @IsUrl(
    { require_tld: false, protocols: ['http', 'https'], require_protocol: true },
    { message: 'must be an absolute http(s) URL' },
  )
  TMDB_IMAGE_BASE_URL: string = 'https://image.tmdb.org/t/p';

  @IsOptional()
  @Matches(/^\d{3,15}:[A-Za-z0-9_-]{30,64}$/, {
    message: 'must be a bot token from @BotFather (123456:ABC...)',
  })
  TELEGRAM_BOT_TOKEN?: string;

  @IsUrl(
    { require_tld: false, protocols: ['http', 'https'], require_protocol: true },
    { message: 'must be an absolute http(s) URL such as https://api.telegram.org' },
  )
  TELEGRAM_API_ROOT: string = 'https://api.telegram.org';

  @Matches(TELEGRAM_CHAT_ID_LIST, { message: 'must be a comma list of chat ids' })
  BOT_AUTHORIZED_CHATS: string = '';

  @Matches(TELEGRAM_USER_ID_LIST, { message: 'must be a comma list of Telegram user ids' })
  BOT_ADMIN_IDS: string = '';

  @IsOptional()
  @Matches(TELEGRAM_CHANNEL, { message: 'must be a channel id (-100...) or @username' })
  BOT_ADMIN_CHANNEL?: string;

  @IsOptional()
  @IsUrl(
    { require_tld: false, protocols: ['https'], require_protocol: true },
    { message: 'must be the https URL Telegram posts updates to, ending in /bot/webhook' },
  )
  TELEGRAM_WEBHOOK_URL?: string;

  @IsOptional()
  @Matches(/^[A-Za-z0-9_-]{16,256}$/, { message: 'must be 16-256 letters, digits, "_" or "-"' })
  TELEGRAM_WEBHOOK_SECRET?: string;

  @IsString()
  TRUSTED_PROXIES: string = '';

  @IsIn(UNKNOWN_HOST_POLICIES, { message: 'must be default or reject' })
  TENANT_UNKNOWN_HOST: string = 'default';

  @IsInt({ message: 'must be a whole number of seconds between 3 and 300' })
  @Min(3, { message: 'must be a whole number of seconds between 3 and 300' })
  @Max(300, { message: 'must be a whole number of seconds between 3 and 300' })
  STATUS_INTERVAL: number = 6;

  @IsInt({ message: 'must be a whole number of commands between 1 and 1000' })
  @Min(1, { message: 'must be a whole number of commands between 1 and 1000' })
  @Max(1000, { message: 'must be a whole number of commands between 1 and 1000' })
  BOT_COMMANDS_PER_MINUTE: number = 20;

  @IsInt({ message: 'must be a whole number of sign-in links between 1 and 100' })
  @Min(1, { message: 'must be a whole number of sign-in links between 1 and 100' })
  @Max(100, { message: 'must be a whole number of sign-in links between 1 and 100' })
  BOT_LOGINS_PER_10_MINUTES: number = 3;

  @IsInt({ message: 'must be a whole number of days between 1 and 3650' })
  @Min(1, { message: 'must be a whole number of days between 1 and 3650' })
  @Max(3650, { message: 'must be a whole number of days between 1 and 3650' })
  GUEST_PROGRESS_DAYS: number = 90;

  @IsOptional()
  @Matches(/^[A-Za-z0-9_-]{43}=?$/, {
    message: 'must be a base64url Ed25519 private key seed (32 bytes, 43 characters)',
  })
  SATELLITE_PRIVATE_KEY?: string;

  @Matches(/^(\s*https?:\/\/[^\s,]+\s*(,\s*https?:\/\/[^\s,]+\s*)*)?$/, {
    message: 'must be a comma list of http(s) URLs of satellite.json copies',
  })
  SATELLITE_MIRRORS: string = '';

  @IsInt({ message: 'must be a whole number of days between 1 and 3650' })
  @Min(1, { message: 'must be a whole number of days between 1 and 3650' })
  @Max(3650, { message: 'must be a whole number of days between 1 and 3650' })
  SATELLITE_VALID_DAYS: number = 90;

  @IsInt({ message: 'must be a whole number of participants between 2 and 500' })
  @Min(2, { message: 'must be a whole number of participants between 2 and 500' })
  @Max(500, { message: 'must be a whole number of participants between 2 and 500' })
  PARTY_MAX_MEMBERS: number = 20;
}

/** Variables that hold numbers; the loader converts them strictly (no `parseInt("12abc")`). */
export const NUMERIC_VARIABLES: ReadonlySet<keyof Environment> = new Set([
  'PORT',
  'SHUTDOWN_TIMEOUT_MS',
  'SESSION_TTL_HOURS',
  'SIGNED_URL_TTL',
  'STREAM_PREFETCH_BLOCKS',
  'STREAM_MAX_PER_SESSION',
  'STREAM_SEND_TIMEOUT',
  'TELEGRAM_PART_SIZE',
  'TELEGRAM_API_ID',
  'INGEST_MAX_FILE_SIZE',
  'INGEST_MAX_ACTIVE_PER_USER',
  'INGEST_MAX_BYTES_PER_DAY',
  'INGEST_MIN_FREE_DISK',
  'INGEST_MAX_ITEMS',
  'INGEST_ITEM_CONCURRENCY',
  'READVAULT_CACHE_MB',
  'READVAULT_MAX_PAGE_MB',
  'TRANSCODE_CONCURRENCY',
  'TRANSCODE_CACHE_MB',
  'COVER_CACHE_MB',
  'TRANSCODE_QUEUE_WAIT_MS',
  'MUSIC_CHANGE_LOG_LENGTH',
  'CATALOG_COMMON_WORD_TITLES',
  'QUEUE_STALLED_AFTER_MS',
  'INGEST_RECONCILE_INTERVAL_SECONDS',
  'HEARTBEAT_INTERVAL_SECONDS',
  'STATUS_INTERVAL',
  'BOT_COMMANDS_PER_MINUTE',
  'BOT_LOGINS_PER_10_MINUTES',
  'GUEST_PROGRESS_DAYS',
  'SATELLITE_VALID_DAYS',
  'PARTY_MAX_MEMBERS',
]);

/** Variables without a default (absent means "not set"); read like the others. */
export const OPTIONAL_VARIABLES: readonly (keyof Environment)[] = [
  'SATELLITE_PRIVATE_KEY',
  'PUBLIC_URL',
  'SECRET_KEY',
  'ADMIN_PASSWORD',
  'STREAM_SECRET',
  'TELEGRAM_API_ID',
  'TELEGRAM_API_HASH',
  'TELEGRAM_STORAGE_CHANNEL',
  'TMDB_API_KEY',
  'TELEGRAM_BOT_TOKEN',
  'BOT_ADMIN_CHANNEL',
  'TELEGRAM_WEBHOOK_URL',
  'TELEGRAM_WEBHOOK_SECRET',
];
