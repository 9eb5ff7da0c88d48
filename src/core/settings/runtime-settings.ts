import { type AppConfig } from '../config/app-config.js';

/**
 * The limits an admin may change at run time (Settings page). Same units as `AppConfig`: bytes and
 * seconds. Anything else (secrets, URLs, storage) stays env-only: changing it live is not safe.
 */
export interface RuntimeSettings {
  maxFileBytes: number;
  maxActivePerUser: number;
  /** 0 = no daily quota. */
  maxBytesPerDay: number;
  minFreeDiskBytes: number;
  botStatusIntervalSeconds: number;
  signedUrlTtlSeconds: number;
}

export type RuntimeSettingKey = keyof RuntimeSettings;

export const RUNTIME_SETTING_KEYS = [
  'maxFileBytes',
  'maxActivePerUser',
  'maxBytesPerDay',
  'minFreeDiskBytes',
  'botStatusIntervalSeconds',
  'signedUrlTtlSeconds',
] as const satisfies readonly RuntimeSettingKey[];

/** Stored overrides; a key that is absent means "the env default". */
export type SettingOverrides = Partial<RuntimeSettings>;

/** The env defaults, from the typed config parsed at boot. */
export function settingDefaults(config: AppConfig): RuntimeSettings {
  return {
    maxFileBytes: config.ingest.maxFileBytes,
    maxActivePerUser: config.ingest.maxActivePerUser,
    maxBytesPerDay: config.ingest.maxBytesPerDay,
    minFreeDiskBytes: config.ingest.minFreeDiskBytes,
    botStatusIntervalSeconds: config.bot.statusIntervalSeconds,
    signedUrlTtlSeconds: config.stream.signedUrlTtlSeconds,
  };
}

/** Overrides laid over the defaults, ignoring stored values that are not finite numbers. */
export function effectiveSettings(defaults: RuntimeSettings, overrides: SettingOverrides): RuntimeSettings {
  const result = { ...defaults };
  for (const key of RUNTIME_SETTING_KEYS) {
    const value = overrides[key];
    if (typeof value === 'number' && Number.isFinite(value)) result[key] = value;
  }
  return result;
}
