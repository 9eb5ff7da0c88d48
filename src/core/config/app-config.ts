import { type Role } from '../../app/roles.js';

export type NodeEnv = 'production' | 'development' | 'test';
export type StorageKind = 'local' | 'telegram';
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/** A `host` or `host:port` exempted from the ingest SSRF guard. */
export interface AllowedHost {
  host: string;
  port?: number;
}

/** The whole configuration, parsed and validated once at boot, then frozen. */
export interface AppConfig {
  nodeEnv: NodeEnv;
  roles: readonly Role[];
  http: { host: string; port: number; publicUrl: string };
  mongo: { uri: string };
  redis: { url: string; prefix: string };
  dataDir: string;
  storage: StorageKind;
  logLevel: LogLevel;
  secretKey: string;
  stream: {
    /** Shared with nginx's `secure_link_md5`; STREAM_SECRET, else SECRET_KEY. */
    secret: string;
    signedUrlTtlSeconds: number;
    prefetchBlocks: number;
    maxPerSession: number;
    /** STREAM_SEND_TIMEOUT: a client that takes no bytes this long is cut off (nginx's send_timeout). */
    sendTimeoutMs: number;
    /**
     * LOCAL_READS_ON_LOOP: `auto` lets a local stream's open and first read run on the event loop
     * while the media root is on a local disk that answers like the page cache; `off` keeps every
     * file operation on libuv's pool.
     */
    localReadsOnLoop: 'auto' | 'off';
  };
  telegram: {
    /** Bytes per stored part (Telegram's upload limit by default). */
    partSize: number;
    apiId?: number;
    apiHash?: string;
    /** gramjs string sessions of user accounts. */
    sessions: readonly string[];
    /** Bot tokens of bots that are admins of the storage channel. */
    botTokens: readonly string[];
    storageChannel?: string;
  };
  readvault: {
    /** Disk kept for resized pages (least recently used go first). */
    cacheBytes: number;
    /** Largest page accepted at ingest, in bytes (a decompression bomb stops here). */
    maxPageBytes: number;
  };
  music: {
    /** ffmpeg transcodes running at once on a streamer; more wait `transcodeQueueWaitMs`, then get an error. */
    transcodeConcurrency: number;
    /** Disk kept for finished transcodes (least recently used go first). */
    transcodeCacheBytes: number;
    /** Disk kept for covers resized for getCoverArt (least recently used go first). */
    coverCacheBytes: number;
    transcodeQueueWaitMs: number;
    /** Album and artist changes kept for managers' catalogs to catch up from (older: load again). */
    changeLogLength: number;
  };
  catalog: {
    /**
     * A search word matching more titles than this is common ("the", "of"): it ranks the titles the
     * other words find instead of adding its own, and alone it is answered from the newest matches.
     */
    commonWordTitles: number;
  };
  ingest: {
    allowHosts: readonly AllowedHost[];
    /**
     * Torrent traffic aria2 may send past the guarded proxy: `dht` (DHT and, with it, UDP trackers)
     * and `lpd` (local peer discovery, multicast on the LAN). Both off unless INGEST_TORRENT_DIRECT
     * names them.
     */
    torrentDirect: { dht: boolean; lpd: boolean };
    maxFileBytes: number;
    maxActivePerUser: number;
    /** Bytes a non-admin user may download per UTC day; 0 = no quota. */
    maxBytesPerDay: number;
    /** Free disk a worker keeps: no download starts, or grows, into it. */
    minFreeDiskBytes: number;
    /** How often a manager looks for tasks whose job vanished (Redis lost) and queues them again; 0 = never. */
    reconcileIntervalSeconds: number;
    /** Files one task may bring (a torrent's file list, an archive's entries, a playlist). */
    maxItems: number;
    /** Items of one task processed at once (probe, store) on a worker. */
    itemConcurrency: number;
    /** The yt-dlp the worker runs: a command on PATH, or an absolute path (one dropped into DATA_DIR). */
    ytdlpPath: string;
  };
  auth: {
    adminUsername: string;
    /** First-start admin password; when unset one is generated and logged once. */
    adminPassword?: string;
    sessionTtlHours: number;
    /** Cookies get `Secure` when the public URL is https. */
    secureCookies: boolean;
  };
  shutdownTimeoutMs: number;
  queue: {
    /**
     * A job whose worker stopped renewing its lock this long ago is handed to another worker (BullMQ's
     * lock duration; the lock is renewed every third of it and stalled jobs are looked for every two
     * thirds, so a killed worker's job moves within about 1.7× this).
     */
    stalledAfterMs: number;
  };
  /** Every process writes its heartbeat (roles, host, CPU/RAM/disk) to Redis this often. */
  heartbeatIntervalSeconds: number;
  /** Catalogues for title enrichment; TMDB is skipped without a key, Jikan needs none. */
  metadata: {
    tmdbApiKey?: string;
    tmdbBaseUrl: string;
    jikanBaseUrl: string;
    /** Where TMDB's poster and backdrop paths are fetched from (by the artwork job, never by pages). */
    tmdbImageBaseUrl: string;
  };
  bot: BotConfig;
  site: SiteConfig;
  tenancy: TenancyConfig;
}

/** Franchise tenants: how a request's host picks its site. */
export interface TenancyConfig {
  /**
   * Addresses / CIDR ranges whose `X-Forwarded-Host` and `X-Forwarded-For` are believed (empty: no
   * `X-Forwarded-Host`, and `X-Forwarded-For` from loopback only).
   */
  trustedProxies: readonly string[];
  /** A host no tenant lists: served as the default site, or refused with 421. */
  unknownHost: 'default' | 'reject';
}

/** The viewer site (manager role). */
export interface SiteConfig {
  /** A guest's progress is swept this many days after its last visit. */
  guestProgressDays: number;
  satellite: {
    /** Ed25519 private key seed (base64url); unset: one is generated into DATA_DIR. */
    privateKey?: string;
    /** URLs of published copies of satellite.json, which the PWA tries when the origin fails. */
    mirrors: readonly string[];
    /** How long a signed satellite document stays valid. */
    validDays: number;
  };
  /** Watch parties: how many participants one room takes. */
  party: { maxMembers: number };
}

/** The Telegram bot (manager role). Without a token the bot stays off and the rest runs. */
export interface BotConfig {
  token?: string;
  /** Bot API base URL (Telegram's, or a local Bot API server / test fake). */
  apiRoot: string;
  /** Chats (groups, or users' private chats) whose members may use the bot. */
  authorizedChats: readonly number[];
  /** Telegram users who are bot admins everywhere (/health, /stats, cancel any task). */
  adminIds: readonly number[];
  /** Where acknowledgements and errors go when a user's DM cannot be reached. */
  adminChannel?: number | string;
  /** Set: updates arrive by webhook (secret token header checked); unset: long polling. */
  webhook?: { url: string; secret: string };
  statusIntervalSeconds: number;
  /** Per Telegram user, across managers: what one member may ask before the bot stops answering. */
  limits: {
    /** Commands (buttons and files sent included) a minute. */
    commandsPerMinute: number;
    /** `/login`s (each stores a sign-in link) in 10 minutes. */
    loginsPer10Minutes: number;
  };
}

/** Injection token for `AppConfig`. */
export const APP_CONFIG = Symbol('APP_CONFIG');
