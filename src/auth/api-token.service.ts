import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { type Types } from 'mongoose';
import { type Identity } from '../core/identity/identity.js';
import { ApiTokenRepository } from './api-token.repository.js';
import { hashToken, randomToken } from './secrets.js';
import { UserRepository } from './user.repository.js';
import { inCurrentTenant } from './tenant-membership.js';

export const API_TOKEN_PREFIX = 'svt_';

export interface ApiTokenView {
  id: string;
  name: string;
  hint: string;
  userId: string;
  createdAt: Date;
  lastUsedAt?: Date;
  revokedAt?: Date;
}

/** `Authorization: Bearer svt_...` tokens for scripts; shown once at creation, stored hashed. */
@Injectable()
export class ApiTokenService {
  constructor(
    private readonly tokens: ApiTokenRepository,
    private readonly users: UserRepository,
  ) {}

  async create(userId: Types.ObjectId, name: string): Promise<{ token: string } & ApiTokenView> {
    const token = randomToken(API_TOKEN_PREFIX);
    const record = {
      _id: hashToken(token),
      publicId: randomUUID(),
      userId,
      name,
      hint: token.slice(0, API_TOKEN_PREFIX.length + 6),
      createdAt: new Date(),
    };
    await this.tokens.insert(record);
    return { token, ...view(record) };
  }

  async list(): Promise<ApiTokenView[]> {
    return (await this.tokens.list()).map(view);
  }

  revoke(publicId: string): Promise<boolean> {
    return this.tokens.revoke(publicId);
  }

  /** The identity a presented token stands for, or undefined for an unknown or revoked token. */
  async identify(token: string): Promise<Identity | undefined> {
    const record = await this.tokens.use(hashToken(token));
    if (!record) return undefined;
    const user = await this.users.findById(record.userId);
    if (!user || user.disabled || !inCurrentTenant(user)) return undefined;
    return { kind: 'user', id: String(user._id), name: user.username, role: user.role, via: 'api-token' };
  }
}

function view(record: {
  publicId: string;
  name: string;
  hint: string;
  userId: Types.ObjectId;
  createdAt: Date;
  lastUsedAt?: Date;
  revokedAt?: Date;
}): ApiTokenView {
  return {
    id: record.publicId,
    name: record.name,
    hint: record.hint,
    userId: String(record.userId),
    createdAt: record.createdAt,
    lastUsedAt: record.lastUsedAt,
    revokedAt: record.revokedAt,
  };
}
