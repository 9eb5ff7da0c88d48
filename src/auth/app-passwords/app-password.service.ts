import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { AppError } from '../../core/errors/app-error.js';
import { RedisMutex } from '../../core/redis/redis-mutex.js';
import { AppPasswordSecrets } from './app-password-secrets.js';
import { AppPasswordRepository } from './app-password.repository.js';
import { type AppPasswordEntry, type AppPasswordSet } from './app-password.schema.js';

/** Enough for every client a person uses; a bound keeps the per-user document small. */
export const MAX_APP_PASSWORDS = 50;

export interface AppPasswordView {
  id: string;
  label: string;
  createdAt: Date;
  lastUsedAt: Date | null;
}

/** Creating, listing and revoking a user's own app passwords (the account page). */
@Injectable()
export class AppPasswordService {
  constructor(
    private readonly passwords: AppPasswordRepository,
    private readonly secrets: AppPasswordSecrets,
    private readonly mutex: RedisMutex,
  ) {}

  /** The clear password is in this answer only. */
  async create(userId: string, label: string): Promise<AppPasswordView & { password: string }> {
    const password = this.secrets.generate(userId);
    const id = randomUUID();
    const entry: AppPasswordEntry = {
      id,
      label,
      hash: this.secrets.hash(password),
      sealed: this.secrets.seal(password, id),
      createdAt: new Date(),
    };
    await this.edit(userId, (set) => {
      if (set.entries.length >= MAX_APP_PASSWORDS) {
        throw new AppError(
          409,
          'conflict',
          `An account may hold ${MAX_APP_PASSWORDS} app passwords; revoke one you no longer use first.`,
        );
      }
      set.entries.push(entry);
    });
    return { ...view(entry), password };
  }

  async list(userId: string): Promise<AppPasswordView[]> {
    return ((await this.passwords.find(userId))?.entries ?? []).map(view);
  }

  /** False when the user has no app password with that id. */
  async revoke(userId: string, id: string): Promise<boolean> {
    let found = false;
    await this.edit(userId, (set) => {
      found = set.entries.some((entry) => entry.id === id);
      set.entries = set.entries.filter((entry) => entry.id !== id);
    });
    return found;
  }

  private edit(userId: string, change: (set: AppPasswordSet) => void): Promise<void> {
    return this.mutex.withLock(`app-passwords:${userId}`, async () => {
      const set = (await this.passwords.find(userId)) ?? { _id: userId, entries: [] };
      change(set);
      await this.passwords.save(set);
    });
  }
}

function view(entry: AppPasswordEntry): AppPasswordView {
  return {
    id: entry.id,
    label: entry.label,
    createdAt: entry.createdAt,
    lastUsedAt: entry.lastUsedAt ?? null,
  };
}
