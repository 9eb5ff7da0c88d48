import { Schema, type Types } from 'mongoose';

/**
 * A username claimed on one site: `_id` is `<tenant id>:<username in lower case>` (the default site's
 * tenant id is `default`), so a name is unique per site whatever its case on every backend (an `_id`
 * insert is refused twice, also for two racing requests) and signing in finds the account with `_id`
 * reads only. `username` keeps the case the account was created with.
 *
 * Claims written before names were compared without case have the name as written in their `_id`;
 * `FoldedAccountNamesMigration` adds the folded claim beside them.
 */
export interface AccountName {
  _id: string;
  tenantId: string;
  username: string;
  userId: Types.ObjectId;
  claimedAt: Date;
}

export const accountNameSchema = new Schema<AccountName>(
  {
    _id: { type: String, required: true },
    tenantId: { type: String, required: true },
    username: { type: String, required: true },
    userId: { type: Schema.Types.ObjectId, required: true },
    claimedAt: { type: Date, required: true },
  },
  { collection: 'account_names', versionKey: false },
);
// Purging a tenant removes its names (rare; the index only helps MongoDB).
accountNameSchema.index({ tenantId: 1 });

/** The form in which two usernames are the same name: "Alice" and "alice" are one. */
export function foldUsername(username: string): string {
  return username.toLowerCase();
}

export function accountNameId(tenantId: string, username: string): string {
  return `${tenantId}:${foldUsername(username)}`;
}

/** The `_id` a claim had before names were folded (the name as written). */
export function exactAccountNameId(tenantId: string, username: string): string {
  return `${tenantId}:${username}`;
}
