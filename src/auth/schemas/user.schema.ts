import { Schema, type Types } from 'mongoose';
import { USER_ROLES, type UserRole } from '../../core/identity/identity.js';

export interface User {
  _id: Types.ObjectId;
  username: string;
  passwordHash?: string;
  role: UserRole;
  telegramId?: number;
  /** The franchise tenant the account belongs to; absent: the default site. */
  tenantId?: string;
  disabled: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export const userSchema = new Schema<User>(
  {
    username: { type: String, required: true },
    passwordHash: String,
    role: { type: String, enum: USER_ROLES, required: true },
    telegramId: Number,
    tenantId: String,
    disabled: { type: Boolean, default: false },
  },
  { collection: 'users', timestamps: true },
);
// Usernames are unique per site through `account_names` (see AccountNameRepository), not an index here.
userSchema.index({ telegramId: 1 });
