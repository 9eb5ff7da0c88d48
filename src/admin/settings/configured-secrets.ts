import { type AppConfig } from '../../core/config/app-config.js';

export interface SecretPresence {
  name: string;
  purpose: string;
  present: boolean;
  /** For list variables: how many entries, never what they are. */
  count?: number;
}

/** Which keys and secrets are configured: presence only, so nothing here can leak a value. */
export function configuredSecrets(config: AppConfig): SecretPresence[] {
  return [
    {
      name: 'TMDB_API_KEY',
      purpose: 'Movie and series metadata (Jikan needs no key)',
      present: Boolean(config.metadata.tmdbApiKey),
    },
    {
      name: 'STREAM_SECRET',
      purpose: 'Signs stream links (else SECRET_KEY does)',
      present: config.stream.secret !== config.secretKey,
    },
    {
      name: 'TELEGRAM_API_ID',
      purpose: 'Telegram storage (MTProto)',
      present: Boolean(config.telegram.apiId),
    },
    {
      name: 'TELEGRAM_API_HASH',
      purpose: 'Telegram storage (MTProto)',
      present: Boolean(config.telegram.apiHash),
    },
    {
      name: 'TELEGRAM_SESSIONS',
      purpose: 'User accounts that upload and read',
      present: config.telegram.sessions.length > 0,
      count: config.telegram.sessions.length,
    },
    {
      name: 'TELEGRAM_BOT_TOKENS',
      purpose: 'Storage bots',
      present: config.telegram.botTokens.length > 0,
      count: config.telegram.botTokens.length,
    },
    { name: 'TELEGRAM_BOT_TOKEN', purpose: 'The chat bot', present: Boolean(config.bot.token) },
    {
      name: 'TELEGRAM_WEBHOOK_SECRET',
      purpose: 'Bot webhook mode',
      present: Boolean(config.bot.webhook?.secret),
    },
    {
      name: 'ADMIN_PASSWORD',
      purpose: 'First-start admin password',
      present: Boolean(config.auth.adminPassword),
    },
  ];
}
