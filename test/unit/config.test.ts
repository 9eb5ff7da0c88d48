import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Role } from '../../src/app/roles.js';
import { ConfigError } from '../../src/core/config/config-error.js';
import { Environment, OPTIONAL_VARIABLES } from '../../src/core/config/environment.js';
import { loadConfig } from '../../src/core/config/load-config.js';
import { PROJECT_ROOT } from '../support/paths.js';

const SECRET = 'x'.repeat(40);

function problemsOf(env: Record<string, string>): string {
  try {
    loadConfig({ SECRET_KEY: SECRET, ...env });
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected ConfigError, got ${String(error)}`);
    return error.message;
  }
  assert.fail('configuration was accepted');
}

describe('configuration', () => {
  it('fills documented defaults', () => {
    const config = loadConfig({ SECRET_KEY: SECRET });
    assert.deepEqual(config.roles, [Role.Manager, Role.Worker, Role.Streamer]);
    assert.equal(config.http.port, 8080);
    assert.equal(config.http.publicUrl, 'http://localhost:8080');
    assert.equal(config.mongo.uri, 'mongodb://127.0.0.1:27017/streamvault');
    assert.equal(config.redis.url, 'redis://127.0.0.1:6379');
    assert.equal(config.storage, 'local');
    assert.equal(config.logLevel, 'info');
    assert.equal(config.shutdownTimeoutMs, 10000);
    assert.ok(config.dataDir.endsWith('/data'));
  });

  it('documents every variable it reads in .env.example', () => {
    const example = readFileSync(join(PROJECT_ROOT, '.env.example'), 'utf8');
    const missing = Object.keys(new Environment())
      .concat(OPTIONAL_VARIABLES)
      .filter((name) => !new RegExp(`^${name}=`, 'm').test(example));
    assert.deepEqual(missing, []);
  });

  it('is frozen all the way down', () => {
    const config = loadConfig({ SECRET_KEY: SECRET });
    assert.ok(Object.isFrozen(config));
    assert.ok(Object.isFrozen(config.http));
    assert.throws(() => ((config.http as { port: number }).port = 1));
  });

  it('names the variable and the problem', () => {
    assert.match(problemsOf({ PORT: 'abc' }), /^PORT: must be a whole number \(got "abc"\)$/);
    assert.match(problemsOf({ PORT: '70000' }), /PORT: must be an integer between 1 and 65535/);
    assert.match(
      problemsOf({ ROLE: 'cook' }),
      /ROLE: unknown role "cook"; valid roles are manager, worker, streamer/,
    );
    assert.match(problemsOf({ STORAGE: 's3' }), /STORAGE: /);
    assert.match(problemsOf({ LOG_LEVEL: 'loud' }), /LOG_LEVEL: /);
    assert.match(
      problemsOf({ REDIS_URL: 'localhost:6379' }),
      /REDIS_URL: must be a redis:\/\/ or rediss:\/\/ URL/,
    );
    assert.match(problemsOf({ PUBLIC_URL: 'not a url' }), /PUBLIC_URL: must be an absolute http\(s\) URL/);
    assert.match(problemsOf({ INGEST_ALLOW_HOSTS: 'ok.example,bad host' }), /INGEST_ALLOW_HOSTS: "bad host"/);
  });

  it('rejects a malformed MongoDB URI without printing its password', () => {
    assert.match(problemsOf({ MONGODB_URI: 'http://db' }), /MONGODB_URI: must start with mongodb:\/\//);
    const message = problemsOf({ MONGODB_URI: 'mongodb://user:hunter2@' });
    assert.match(message, /^MONGODB_URI: /);
    assert.doesNotMatch(message, /hunter2/);
  });

  it('rejects a Redis URL ioredis could not use (a port out of range, a database that is not 0-15), without its password', () => {
    assert.match(problemsOf({ REDIS_URL: 'redis://127.0.0.1:99999' }), /REDIS_URL: not a valid URL/);
    assert.match(
      problemsOf({ REDIS_URL: 'redis://127.0.0.1:6379/abc' }),
      /REDIS_URL: the path is the database number/,
    );
    assert.match(problemsOf({ REDIS_URL: 'redis://127.0.0.1:6379/16' }), /database number, 0 to 15/);
    const message = problemsOf({ REDIS_URL: 'redis://user:hunter2@127.0.0.1:6379/x' });
    assert.doesNotMatch(message, /hunter2/);
    for (const fine of [
      'redis://127.0.0.1:6379',
      'redis://127.0.0.1:6379/',
      'rediss://cache.example:6380/15',
      'redis://[::1]:6379/0',
    ])
      assert.doesNotThrow(() => loadConfig({ SECRET_KEY: SECRET, REDIS_URL: fine }), fine);
  });

  it('reports every problem at once', () => {
    const message = problemsOf({ PORT: 'abc', ROLE: 'cook' });
    assert.match(message, /PORT/);
    assert.match(message, /ROLE/);
  });

  it('requires SECRET_KEY in production and refuses a short one', () => {
    assert.throws(() => loadConfig({}), /SECRET_KEY: required when NODE_ENV=production/);
    assert.throws(() => loadConfig({ SECRET_KEY: 'short' }), /SECRET_KEY: must be at least 32 characters/);
  });

  it('outside production, generates SECRET_KEY once and keeps it in DATA_DIR', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'sv-config-'));
    try {
      const first = loadConfig({ NODE_ENV: 'development', DATA_DIR: dataDir });
      const second = loadConfig({ NODE_ENV: 'development', DATA_DIR: dataDir });
      assert.equal(first.secretKey.length, 64);
      assert.equal(second.secretKey, first.secretKey);
      assert.equal(readFileSync(join(dataDir, 'secret.key'), 'utf8').trim(), first.secretKey);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('requires the Telegram settings when STORAGE=telegram, without echoing secrets', () => {
    const message = problemsOf({ STORAGE: 'telegram', TELEGRAM_API_HASH: 'nothex' });
    assert.match(message, /TELEGRAM_API_ID: required when STORAGE=telegram/);
    assert.match(message, /TELEGRAM_API_HASH: must be the 32-character api_hash/);
    assert.match(message, /TELEGRAM_STORAGE_CHANNEL: required/);
    assert.match(message, /at least one session or bot token/);
    assert.doesNotMatch(message, /nothex/);
    const config = loadConfig({
      SECRET_KEY: SECRET,
      STORAGE: 'telegram',
      TELEGRAM_API_ID: '12345',
      TELEGRAM_API_HASH: '0123456789abcdef0123456789abcdef',
      TELEGRAM_STORAGE_CHANNEL: '@my_storage',
      TELEGRAM_BOT_TOKENS: '123:abc, 456:def',
    });
    assert.deepEqual(config.telegram.botTokens, ['123:abc', '456:def']);
    assert.equal(config.telegram.partSize, 2000 * 1024 * 1024);
    assert.equal(config.stream.secret, SECRET, 'STREAM_SECRET falls back to SECRET_KEY');
  });

  it('lets torrent traffic past the guarded proxy only as INGEST_TORRENT_DIRECT names it (dht, lpd)', () => {
    assert.deepEqual(loadConfig({ SECRET_KEY: SECRET }).ingest.torrentDirect, { dht: false, lpd: false });
    assert.deepEqual(loadConfig({ SECRET_KEY: SECRET, INGEST_TORRENT_DIRECT: 'DHT' }).ingest.torrentDirect, {
      dht: true,
      lpd: false,
    });
    assert.deepEqual(
      loadConfig({ SECRET_KEY: SECRET, INGEST_TORRENT_DIRECT: 'dht, lpd' }).ingest.torrentDirect,
      { dht: true, lpd: true },
    );
    assert.match(
      problemsOf({ INGEST_TORRENT_DIRECT: 'dht,udp' }),
      /INGEST_TORRENT_DIRECT: "udp" is not one of dht, lpd/,
    );
  });

  it('parses INGEST_ALLOW_HOSTS into hosts and optional ports', () => {
    const config = loadConfig({
      SECRET_KEY: SECRET,
      INGEST_ALLOW_HOSTS: 'Media.Example.com, 127.0.0.1:8099,[::1]:9000',
    });
    assert.deepEqual(config.ingest.allowHosts, [
      { host: 'media.example.com', port: undefined },
      { host: '127.0.0.1', port: 8099 },
      { host: '::1', port: 9000 },
    ]);
  });

  it('runs yt-dlp from PATH unless YTDLP_PATH names one, a relative path made absolute', () => {
    assert.equal(loadConfig({ SECRET_KEY: SECRET }).ingest.ytdlpPath, 'yt-dlp');
    assert.equal(
      loadConfig({ SECRET_KEY: SECRET, YTDLP_PATH: '/data/bin/yt-dlp' }).ingest.ytdlpPath,
      '/data/bin/yt-dlp',
    );
    assert.equal(
      loadConfig({ SECRET_KEY: SECRET, YTDLP_PATH: 'tools/yt-dlp' }).ingest.ytdlpPath,
      join(process.cwd(), 'tools/yt-dlp'),
    );
    assert.equal(
      loadConfig({ SECRET_KEY: SECRET, YTDLP_PATH: '' }).ingest.ytdlpPath,
      'yt-dlp',
      'empty is unset',
    );
  });

  it('reads the bot settings: off without a token, 6 s status interval, chats and admins as numbers', () => {
    const off = loadConfig({ SECRET_KEY: SECRET });
    assert.equal(off.bot.token, undefined);
    assert.equal(off.bot.apiRoot, 'https://api.telegram.org');
    assert.equal(off.bot.statusIntervalSeconds, 6);
    assert.equal(off.bot.webhook, undefined);

    const token = `123456:${'A'.repeat(35)}`;
    const config = loadConfig({
      SECRET_KEY: SECRET,
      TELEGRAM_BOT_TOKEN: token,
      TELEGRAM_API_ROOT: 'http://127.0.0.1:8081/',
      BOT_AUTHORIZED_CHATS: '-1001234567890, 42',
      BOT_ADMIN_IDS: '7,8',
      BOT_ADMIN_CHANNEL: '-1009876543210',
      TELEGRAM_WEBHOOK_URL: 'https://bot.example.com/bot/webhook',
      TELEGRAM_WEBHOOK_SECRET: 's'.repeat(20),
      STATUS_INTERVAL: '3',
    });
    assert.deepEqual(
      { ...config.bot },
      {
        token,
        apiRoot: 'http://127.0.0.1:8081',
        authorizedChats: [-1001234567890, 42],
        adminIds: [7, 8],
        adminChannel: -1009876543210,
        webhook: { url: 'https://bot.example.com/bot/webhook', secret: 's'.repeat(20) },
        statusIntervalSeconds: 3,
        limits: { commandsPerMinute: 20, loginsPer10Minutes: 3 },
      },
    );
    assert.equal(
      loadConfig({ SECRET_KEY: SECRET, BOT_ADMIN_CHANNEL: '@sv_admins' }).bot.adminChannel,
      '@sv_admins',
    );
  });

  it('reads the per-user bot limits: 20 commands a minute and 3 sign-in links in 10 minutes unless set', () => {
    assert.deepEqual(
      { ...loadConfig({ SECRET_KEY: SECRET }).bot.limits },
      { commandsPerMinute: 20, loginsPer10Minutes: 3 },
    );
    const set = loadConfig({
      SECRET_KEY: SECRET,
      BOT_COMMANDS_PER_MINUTE: '5',
      BOT_LOGINS_PER_10_MINUTES: '1',
    });
    assert.deepEqual({ ...set.bot.limits }, { commandsPerMinute: 5, loginsPer10Minutes: 1 });
    assert.equal(
      loadConfig({ SECRET_KEY: SECRET, BOT_COMMANDS_PER_MINUTE: '' }).bot.limits.commandsPerMinute,
      20,
      'empty is unset',
    );
  });

  it('refuses per-user bot limits of 0, too high, or not whole numbers', () => {
    for (const value of ['0', '1001']) {
      assert.match(
        problemsOf({ BOT_COMMANDS_PER_MINUTE: value }),
        /^BOT_COMMANDS_PER_MINUTE: must be a whole number of commands between 1 and 1000 \(got "\d+"\)$/,
        value,
      );
    }
    for (const value of ['0', '101']) {
      assert.match(
        problemsOf({ BOT_LOGINS_PER_10_MINUTES: value }),
        /^BOT_LOGINS_PER_10_MINUTES: must be a whole number of sign-in links between 1 and 100 \(got "\d+"\)$/,
        value,
      );
    }
    assert.match(
      problemsOf({ BOT_COMMANDS_PER_MINUTE: '2.5' }),
      /^BOT_COMMANDS_PER_MINUTE: must be a whole number \(got "2\.5"\)$/,
    );
  });

  it('refuses a status interval under 3 s, a webhook without its secret, and malformed bot settings', () => {
    assert.match(
      problemsOf({ STATUS_INTERVAL: '2' }),
      /STATUS_INTERVAL: must be a whole number of seconds between 3 and 300/,
    );
    assert.match(
      problemsOf({ TELEGRAM_WEBHOOK_URL: 'https://bot.example.com/bot/webhook' }),
      /TELEGRAM_WEBHOOK_SECRET: required when TELEGRAM_WEBHOOK_URL is set/,
    );
    assert.match(
      problemsOf({ BOT_AUTHORIZED_CHATS: 'my-group' }),
      /BOT_AUTHORIZED_CHATS: must be a comma list of chat ids/,
    );
    // Beyond 2^53 a chat id would be read rounded (another chat); 0 is no chat.
    for (const chats of ['9999999999999999', '-1001234567890, -0', '0']) {
      assert.match(
        problemsOf({ BOT_AUTHORIZED_CHATS: chats }),
        /BOT_AUTHORIZED_CHATS: must be a comma list of chat ids/,
        chats,
      );
    }
    // The same bound for the admins' user ids and the admin channel: never read rounded.
    for (const ids of ['9999999999999999', '7, 0', '-7']) {
      assert.match(
        problemsOf({ BOT_ADMIN_IDS: ids }),
        /BOT_ADMIN_IDS: must be a comma list of Telegram user ids/,
        ids,
      );
    }
    for (const channel of ['-1009999999999999', '-100', '-1000123456']) {
      assert.match(
        problemsOf({ BOT_ADMIN_CHANNEL: channel }),
        /BOT_ADMIN_CHANNEL: must be a channel id/,
        channel,
      );
    }
    assert.equal(
      loadConfig({ SECRET_KEY: SECRET, BOT_ADMIN_CHANNEL: '-100999999999' }).bot.adminChannel,
      -100999999999,
    );
    const bad = problemsOf({ TELEGRAM_BOT_TOKEN: 'not-a-token-but-secret' });
    assert.match(bad, /TELEGRAM_BOT_TOKEN: must be a bot token/);
    assert.doesNotMatch(bad, /not-a-token-but-secret/, 'the token is never echoed');
  });
});
