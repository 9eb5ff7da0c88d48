import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../core/config/app-config.js';
import { RedisMutex } from '../../core/redis/redis-mutex.js';
import { SatelliteConfigRepository } from './satellite-config.repository.js';
import { type SignedSatelliteDocument, signSatelliteDocument } from './satellite-document.js';
import { loadOrCreateSatelliteKey, type SatelliteKey } from './satellite-key.js';

export interface SatelliteView {
  version: number;
  origins: string[];
  mirrors: string[];
  publicKey: string;
  updatedAt: Date | null;
}

/** What a page embeds so the installed PWA can fail over without the origin: the key and mirrors. */
export interface SatelliteClientConfig {
  publicKey: string;
  mirrors: string[];
}

/**
 * The satellite config: the origins the site answers on, signed with the install's Ed25519 key so an
 * installed PWA can trust a copy fetched from any mirror when its current origin is blocked.
 */
@Injectable()
export class SatelliteService {
  private readonly key: SatelliteKey;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly repository: SatelliteConfigRepository,
    private readonly mutex: RedisMutex,
  ) {
    this.key = loadOrCreateSatelliteKey(config.site.satellite.privateKey, config.dataDir);
  }

  get publicKey(): string {
    return this.key.publicKeyRaw.toString('base64url');
  }

  clientConfig(): SatelliteClientConfig {
    return { publicKey: this.publicKey, mirrors: [...this.config.site.satellite.mirrors] };
  }

  async view(): Promise<SatelliteView> {
    const stored = await this.repository.find();
    return {
      version: stored?.version ?? 0,
      origins: stored?.origins ?? this.defaultOrigins(),
      mirrors: [...this.config.site.satellite.mirrors],
      publicKey: this.publicKey,
      updatedAt: stored?.updatedAt ?? null,
    };
  }

  /** Replaces the origin list; the version goes up so clients prefer this document to older ones. */
  async setOrigins(origins: string[], updatedBy: string): Promise<SatelliteView> {
    const unique = [...new Set(origins.map((origin) => new URL(origin).origin))];
    await this.mutex.withLock('satellite-config', async () => {
      const stored = await this.repository.find();
      await this.repository.save({
        version: Math.max(stored?.version ?? 0, 1) + 1,
        origins: unique,
        updatedAt: new Date(),
        updatedBy,
      });
    });
    return this.view();
  }

  /** A freshly signed document, valid SATELLITE_VALID_DAYS from now. */
  async document(now = new Date()): Promise<SignedSatelliteDocument> {
    const { version, origins } = await this.view();
    const expiresAt = new Date(now.getTime() + this.config.site.satellite.validDays * 24 * 3600 * 1000);
    return signSatelliteDocument(
      // Version 0 (never edited) is published as 1, so a client's first stored document is not "older".
      {
        version: Math.max(version, 1),
        issuedAt: now.toISOString(),
        expiresAt: expiresAt.toISOString(),
        origins,
      },
      this.key,
    );
  }

  private defaultOrigins(): string[] {
    return [new URL(this.config.http.publicUrl).origin];
  }
}
