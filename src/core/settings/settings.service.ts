import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import {
  effectiveSettings,
  type RuntimeSettings,
  type SettingOverrides,
  settingDefaults,
} from './runtime-settings.js';
import { SettingsRepository } from './settings.repository.js';

/** How long a process trusts what it last read; every manager and worker converges within this. */
export const SETTINGS_CACHE_MS = 10_000;

/**
 * The effective run-time settings: the env default unless the Settings page overrides it. Read through a
 * short in-process cache so hot paths (admission, signing) do not query Mongo each time; when Mongo
 * cannot answer, the last known values (at first the env defaults) stay in force.
 */
@Injectable()
export class SettingsService implements OnModuleInit {
  private readonly logger = new Logger('settings');
  readonly defaults: RuntimeSettings;
  private current: RuntimeSettings;
  private readAt = 0;
  private refreshing?: Promise<RuntimeSettings>;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly repository: SettingsRepository,
  ) {
    this.defaults = settingDefaults(config);
    this.current = this.defaults;
  }

  async onModuleInit(): Promise<void> {
    await this.get();
  }

  /** The effective settings, re-read from Mongo when the cached copy is older than the cache time. */
  async get(): Promise<RuntimeSettings> {
    if (Date.now() - this.readAt < SETTINGS_CACHE_MS) return this.current;
    return this.refresh();
  }

  /**
   * The cached settings without waiting, for synchronous callers (link signing, timers); a stale copy
   * starts a refresh in the background for the next caller.
   */
  cached(): RuntimeSettings {
    if (Date.now() - this.readAt >= SETTINGS_CACHE_MS) void this.refresh();
    return this.current;
  }

  /** The stored overrides themselves (uncached), for the Settings page. */
  overrides(): ReturnType<SettingsRepository['read']> {
    return this.repository.read();
  }

  /** Stores overrides (`null` = back to default); this process sees them at once, others within the cache time. */
  async update(changes: { [K in keyof SettingOverrides]?: number | null }, updatedBy: string): Promise<void> {
    await this.repository.write(changes, updatedBy);
    await this.refreshing; // a read begun before the write must not be the one returned
    this.readAt = 0;
    await this.refresh();
  }

  private refresh(): Promise<RuntimeSettings> {
    this.refreshing ??= this.repository
      .read()
      .then((overrides) => {
        this.current = effectiveSettings(this.defaults, overrides);
        return this.current;
      })
      .catch((error: unknown) => {
        this.logger.warn(`cannot read settings, keeping the last known: ${(error as Error).message}`);
        return this.current;
      })
      .finally(() => {
        this.readAt = Date.now();
        this.refreshing = undefined;
      });
    return this.refreshing;
  }
}
